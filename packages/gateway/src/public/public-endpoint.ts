import type * as http from 'node:http';
import type { AgentDirectory } from '../agents/agent-directory.js';
import type { Reachability } from '../agents/reachability.js';
import { bearerCredential } from '../http/bearer.js';
import type { GatewayLogger } from '../log/logger.js';
import type { AgentRecord } from '../store/agent-store.js';
import type { ApiKeys } from './api-keys.js';
import { answerPreflight, corsHeaders } from './cors.js';
import { forward } from './forward.js';
import { sendJsonRpcError } from './jsonrpc-error.js';
import type { OriginPolicy } from './origins.js';
import { publicEndpointPath, SseEndpointRewriter } from './sse-endpoint-rewriter.js';

/** `/agents/<agentId>/servers/<name>/<mcp|sse|message>`, after the base path. */
export interface PublicRoute {
  agentId: string;
  server: string;
  endpoint: 'mcp' | 'sse' | 'message';
  search: string;
}

const PUBLIC_PATH = /^\/agents\/([A-Za-z0-9_]{1,64})\/servers\/([a-z0-9-]{1,63})\/(mcp|sse|message)$/;

export function matchPublicRoute(pathname: string, search: string): PublicRoute | null {
  const match = PUBLIC_PATH.exec(pathname);
  if (!match) return null;
  return { agentId: match[1]!, server: match[2]!, endpoint: match[3] as PublicRoute['endpoint'], search };
}

export interface PublicEndpointDeps {
  apiKeys: ApiKeys;
  origins: OriginPolicy;
  directory: AgentDirectory;
  reachability: Reachability;
  agentListenPort: number;
  upstreamAgent: http.Agent;
  connectTimeoutMs: number;
  log: GatewayLogger;
  /** The --public-url path prefix ('' at the root): the legacy endpoint event is rewritten under it. */
  basePath: string;
}

/**
 * The reference gateway's public side (protocol.md §4): Origin first (a browser page must not
 * even learn whether an agent exists), then the API key, then the agent, then the stream.
 */
export async function handlePublic(req: http.IncomingMessage, res: http.ServerResponse, route: PublicRoute, deps: PublicEndpointDeps): Promise<void> {
  const origin = req.headers.origin;
  if (!deps.origins.allows(origin)) {
    return sendJsonRpcError(res, 403, `Origin ${origin} is not allowed here; the gateway operator can add it with --allowed-origin`);
  }
  if (req.method === 'OPTIONS' && origin !== undefined) return answerPreflight(req, res, origin);
  const cors = corsHeaders(origin) as Record<string, string>;
  if (!deps.apiKeys.verify(bearerCredential(req.headers))) {
    return sendJsonRpcError(res, 401, 'missing or wrong gateway API key (Authorization: Bearer <key>)', { ...cors, 'www-authenticate': 'Bearer' });
  }
  const agent = deps.directory.get(route.agentId);
  if (!agent) return sendJsonRpcError(res, 404, `unknown agent: ${route.agentId}`, cors);
  if (!(await deps.reachability.reachable(agent))) {
    return sendJsonRpcError(res, 502, `${labelOf(agent)} is not connected to the gateway`, cors);
  }
  const publicPrefix = `${deps.basePath}/agents/${agent.id}`;
  forward(
    req,
    res,
    {
      address: agent.address,
      port: deps.agentListenPort,
      path: `/servers/${route.server}/${route.endpoint}${route.search}`,
      label: labelOf(agent),
      responseHeaders: cors,
      eventStreamTransform:
        route.endpoint === 'sse' ? () => new SseEndpointRewriter((endpoint) => publicEndpointPath(endpoint, publicPrefix)) : undefined,
    },
    { agent: deps.upstreamAgent, connectTimeoutMs: deps.connectTimeoutMs, log: deps.log },
  );
}

function labelOf(agent: AgentRecord): string {
  return agent.name ? `agent ${agent.id} (${agent.name})` : `agent ${agent.id}`;
}
