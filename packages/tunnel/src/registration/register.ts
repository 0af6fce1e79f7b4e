import * as os from 'node:os';
import {
  Timing,
  agentNameFromHostname,
  fullJitterDelay,
  parseRegisterRequest,
  type RegisterRequest,
  type RegisterResponse,
} from '@mcp-workstation/protocol';
import { AgentStateStore, type AgentState } from '../state/agent-state.js';
import { ensureStateDir, generateKeyPair, type GenerateKeyPair } from '@mcp-workstation/wireguard';
import { agentVersion } from './agent-version.js';
import { trustedCertificates } from './ca-file.js';
import { errorFromAnswer, errorFromNetworkFailure, registrationFromCreated } from './gateway-answer.js';
import { requestJson } from './json-request.js';
import { silentLogger, type RegistrationLogger } from './logger.js';
import { RegistrationError } from './registration-error.js';
import { retryWithinBudget, type RetryPolicy } from './retry.js';
import { checkControlUrl, checkGatewayUrl } from './url-policy.js';

export interface RegisterOptions {
  gatewayUrl: string;
  /** The single-use registration token. Never logged, never part of an error. */
  token: string;
  /** The servers this agent will serve; may be empty. */
  servers: ReadonlyArray<{ name: string }>;
  /** Default: the host name, cleaned as protocol.md §1 says. */
  name?: string;
  stateDir: string;
  /** An extra CA certificate (PEM) for the gateway's TLS. */
  caFile?: string;
  /** The operator's permission for http:// and ws:// to hosts that are not loopback. */
  allowHttp?: boolean;
  logger?: RegistrationLogger;
  generateKeyPair?: GenerateKeyPair;
  /** Default: Timing.registrationRetryBudgetMs (5 minutes). */
  retryBudgetMs?: number;
  /** Default: full-jitter exponential backoff (1 s base, 60 s cap). */
  retryDelayMs?: (attempt: number) => number;
  /** One attempt's limit, connect to last byte. Default 30 s. */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  /** Defaults for tests: this package's version, os.hostname(), the clock. */
  agentVersion?: string;
  hostname?: string;
  now?: () => Date;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Registers this agent with a gateway (protocol.md §1) and saves the new identity in the state
 * directory, replacing any previous one. Everything that can be checked locally (URL, state
 * directory, CA file, request body) is checked before the request, which uses the token up.
 */
export async function register(options: RegisterOptions): Promise<AgentState> {
  const logger = options.logger ?? silentLogger;
  const allowHttp = options.allowHttp ?? false;
  const gateway = checkGatewayUrl(options.gatewayUrl, allowHttp);
  assertUsableToken(options.token);
  const ca = options.caFile !== undefined ? await trustedCertificates(options.caFile) : undefined;
  await ensureStateDir(options.stateDir);

  const keyPair = (options.generateKeyPair ?? generateKeyPair)();
  const body = registrationRequest(options, keyPair.publicKey);
  const endpoint = registrationEndpoint(gateway);
  logger.info(`registering with ${endpoint.origin} as "${body.name}"`, { gateway: endpoint.href, name: body.name, servers: body.servers.map((s) => s.name) });

  const answer = await postRegistration(endpoint, body, { ...options, ca, logger });
  checkControlUrl(answer.controlUrl, allowHttp);
  const store = new AgentStateStore(options.stateDir, { generateKeyPair: options.generateKeyPair });
  const state = await store.saveRegistration({
    identity: {
      agentId: answer.agentId,
      agentSecret: answer.agentSecret,
      name: body.name,
      gatewayUrl: gateway.href,
      controlUrl: answer.controlUrl,
      registeredAt: (options.now ?? (() => new Date()))().toISOString(),
    },
    tunnel: answer.tunnel,
    keyPair,
  });
  logger.info(`registered as ${answer.agentId}, tunnel address ${answer.tunnel.address}`, { agentId: answer.agentId, stateDir: options.stateDir });
  return state;
}

function registrationRequest(options: RegisterOptions, publicKey: string): RegisterRequest & { name: string } {
  const name = options.name ?? agentNameFromHostname(options.hostname ?? os.hostname());
  const body = {
    name,
    publicKey,
    agentVersion: options.agentVersion ?? agentVersion(),
    platform: `${process.platform}-${process.arch}`,
    servers: options.servers.map((server) => ({ name: server.name })),
  };
  const parsed = parseRegisterRequest(body);
  if (!parsed.ok) {
    throw new RegistrationError('invalid_request', `the registration request is invalid (${parsed.reason})`, 'correct that value (agent name: --name; server names) and register again; the token was not used');
  }
  return body;
}

/** {gatewayUrl}/v1/agents/register, keeping a path prefix the gateway may live under. */
function registrationEndpoint(gateway: URL): URL {
  const endpoint = new URL(gateway.href);
  endpoint.pathname = `${endpoint.pathname.replace(/\/+$/, '')}/v1/agents/register`;
  endpoint.search = '';
  endpoint.hash = '';
  return endpoint;
}

type PostOptions = RegisterOptions & { ca: string[] | undefined; logger: RegistrationLogger };

async function postRegistration(endpoint: URL, body: RegisterRequest, options: PostOptions): Promise<RegisterResponse> {
  const redact = (text: string): string => text.split(options.token).join('[redacted]');
  const policy: RetryPolicy = {
    budgetMs: options.retryBudgetMs ?? Timing.registrationRetryBudgetMs,
    delayMs: options.retryDelayMs ?? ((attempt) => fullJitterDelay(attempt)),
  };
  let answerMayBeLost = false;
  const attempt = async (): Promise<RegisterResponse> => {
    let response;
    try {
      response = await requestJson({
        url: endpoint,
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}` },
        body,
        ca: options.ca,
        timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        signal: options.signal,
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      answerMayBeLost = true;
      throw errorFromNetworkFailure(err, endpoint);
    }
    if (response.status === 201) return registrationFromCreated(response);
    const error = errorFromAnswer(response, redact);
    // A retry after a lost 201 finds the token used: say so, or the operator will doubt the token.
    throw error.code === 'token_used' && answerMayBeLost
      ? error.withHint('an earlier attempt lost its answer, so the gateway may have registered this agent then')
      : error;
  };
  const onRetry = (error: RegistrationError, attemptNumber: number, waitMs: number): void => {
    options.logger.warn(`registration attempt ${attemptNumber} failed: ${error.problem}; retrying in ${(waitMs / 1000).toFixed(1)} s`, {
      code: error.code,
      status: error.status,
    });
  };
  return retryWithinBudget(attempt, policy, { onRetry, signal: options.signal });
}

/**
 * Rejects a token that cannot be a bearer credential before it is sent. The message never
 * repeats the token: it may be a real one with a stray character.
 */
function assertUsableToken(token: string): void {
  if (token.length === 0) {
    throw new RegistrationError('invalid_token', 'the registration token is empty', 'give the token with --token-file, MCP_WORKSTATION_REGISTRATION_TOKEN or on stdin');
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new RegistrationError(
      'invalid_token',
      'the registration token contains spaces, line breaks or other characters a token cannot have',
      'give the token alone, as the gateway printed it (one line)',
    );
  }
}
