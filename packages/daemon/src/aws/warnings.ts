import { AWS_MCP_ENDPOINTS, DEFAULT_PROXY_VERSION, knownEndpointRegions } from './endpoints.js';
import { awsServerFacts, type AwsServerFacts, type ServerEntryLike } from './server-facts.js';

/**
 * The guide's gotchas that a configuration shows, as sentences that each name the fix. For
 * `init aws`, `config check`, `doctor` and the start-up log. They never stop the daemon.
 */

export interface NamedServer extends ServerEntryLike {
  name: string;
}

/** Older AWS MCP servers whose tools overlap the AWS MCP Server's aws___ tools. */
const OVERLAPPING_SERVERS = [
  { marker: /aws-api-mcp-server/i, label: 'aws-api-mcp-server' },
  { marker: /aws-knowledge-mcp-server|knowledge-mcp\.global\.api\.aws/i, label: 'aws-knowledge-mcp-server' },
];

export function awsServerWarnings(servers: NamedServer[]): string[] {
  const warnings: string[] = [];
  const proxies = servers.map((server) => ({ server, facts: awsServerFacts(server) })).filter((entry): entry is { server: NamedServer; facts: AwsServerFacts } => entry.facts !== null);
  for (const { server, facts } of proxies) warnings.push(...proxyWarnings(server.name, facts));
  if (proxies.length > 0) warnings.push(...overlapWarnings(servers, proxies[0].server.name));
  return warnings;
}

function proxyWarnings(name: string, facts: AwsServerFacts): string[] {
  const key = `servers.${name}`;
  const warnings: string[] = [];
  if (facts.version === null) {
    warnings.push(
      `${key} runs ${facts.packageSpec} without a pinned version: every start re-checks the package index (slower, and it fails offline) ` +
        `and a new release can break the launch. Fix: pin it, e.g. mcp-proxy-for-aws==${DEFAULT_PROXY_VERSION} in ${key}.args ` +
        `(mcp-workstation init aws --version ${DEFAULT_PROXY_VERSION} writes it).`,
    );
  }
  if (facts.endpoint === null) {
    warnings.push(`${key} gives the proxy no endpoint URL. Fix: add one after the package, e.g. ${AWS_MCP_ENDPOINTS['us-east-1']}.`);
  } else if (!facts.knownEndpoint) {
    warnings.push(
      `${key} uses the endpoint ${facts.endpoint}, which is not a known AWS MCP Server endpoint (${knownEndpointRegions().join(', ')}). ` +
        `Fix: use ${Object.values(AWS_MCP_ENDPOINTS).join(' or ')}, unless AWS has opened this one since.`,
    );
  }
  if (facts.metadataRegion === null && facts.signingRegion === null) {
    warnings.push(
      `${key} sets no --metadata AWS_REGION=…: every AWS operation silently runs in us-east-1, whichever endpoint it connects to. ` +
        `Fix: add --metadata AWS_REGION=<region> after the endpoint in ${key}.args (mcp-workstation init aws --region <region> writes it).`,
    );
  } else if (facts.metadataRegion !== null && facts.endpointRegion !== null && facts.metadataRegion !== facts.endpointRegion) {
    warnings.push(
      `${key} connects to the ${facts.endpointRegion} endpoint but runs operations in ${facts.metadataRegion} (--metadata AWS_REGION=${facts.metadataRegion}). ` +
        `That is allowed; if it is not what you meant, make them the same (the endpoint decides which AWS MCP Server answers, the metadata where operations run).`,
    );
  }
  return warnings;
}

function overlapWarnings(servers: NamedServer[], proxyName: string): string[] {
  const warnings: string[] = [];
  for (const server of servers) {
    const line = [server.command, ...server.args].join(' ');
    const older = OVERLAPPING_SERVERS.find(({ marker }) => marker.test(line));
    if (!older) continue;
    warnings.push(
      `servers.${server.name} runs the older ${older.label} beside the AWS MCP Server (servers.${proxyName}): their overlapping tools confuse agents, ` +
        `and AWS recommends removing it. Fix: remove servers.${server.name}; the aws___ tools of servers.${proxyName} cover it.`,
    );
  }
  return warnings;
}
