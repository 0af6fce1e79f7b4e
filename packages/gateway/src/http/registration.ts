import type { IncomingMessage, ServerResponse } from 'node:http';
import { REGISTRATION_ERRORS, parseJson, parseRegisterRequest, type RegisterResponse, type RegistrationErrorCode } from '@mcp-workstation/protocol';
import type { AgentDirectory, TokenClaim } from '../agents/agent-directory.js';
import { tunnelBlockFor, type TunnelSettings } from '../agents/tunnel-block.js';
import type { GatewayLogger } from '../log/logger.js';
import type { TokenRecord, TokenStore } from '../store/token-store.js';
import { bearerCredential } from './bearer.js';
import { controlUrlFor } from './public-base.js';
import type { RateLimiter } from './rate-limiter.js';
import { BodyTooLargeError, isJsonContentType, readSmallBody, sendError, sendJson } from './respond.js';

export interface RegistrationDeps {
  tokens: TokenStore;
  directory: AgentDirectory;
  limiter: RateLimiter;
  tunnel: TunnelSettings;
  log: GatewayLogger;
  /** The gateway's base URL for this request (controlUrl is derived from it). */
  baseFor(req: IncomingMessage): URL;
}

/** A registration is a few hundred bytes. */
const MAX_BODY_BYTES = 64 * 1024;
/** When no tunnel address is left, an operator must act: a retry in a minute is soon enough. */
const UNAVAILABLE_RETRY_AFTER_S = 60;

const MESSAGES = {
  missing: 'missing Authorization: Bearer <registration token>',
  unknown: 'the registration token is unknown or expired',
  used: 'the registration token has already been used',
};

/**
 * POST /v1/agents/register (protocol.md §1). The token is checked before the body; only a 201
 * uses it up. The token never reaches a log line or an error message.
 */
export async function handleRegistration(req: IncomingMessage, res: ServerResponse, deps: RegistrationDeps): Promise<void> {
  if (req.method !== 'POST') return sendError(res, 405, 'method_not_allowed', 'use POST', { allow: 'POST' });
  const retryAfter = deps.limiter.take(req.socket.remoteAddress ?? 'unknown');
  if (retryAfter !== null) return refuse(res, 'rate_limited', 'too many registration attempts; try again later', retryAfter);

  const token = bearerCredential(req.headers);
  if (token === null) return refuse(res, 'invalid_token', MESSAGES.missing);
  const check = await deps.tokens.check(token);
  if (check.state === 'used') return refuse(res, 'token_used', MESSAGES.used);
  if (check.state !== 'valid') return refuse(res, 'invalid_token', MESSAGES.unknown);

  if (!isJsonContentType(req)) return refuse(res, 'unsupported_media_type', 'Content-Type must be application/json');
  const body = await readBody(req, res);
  if (body === null) return;
  const json = parseJson(body);
  const request = json.ok ? parseRegisterRequest(json.value) : json;
  if (!request.ok) return refuse(res, 'invalid_request', request.reason);

  const outcome = await deps.directory.register(request.value, claimFor(deps.tokens, token, check.record));
  if (!outcome.ok) {
    return refuse(res, outcome.code, outcome.message, outcome.code === 'unavailable' ? UNAVAILABLE_RETRY_AFTER_S : undefined);
  }
  const answer: RegisterResponse = {
    agentId: outcome.agent.id,
    agentSecret: outcome.secret,
    tunnel: tunnelBlockFor(outcome.agent, deps.tunnel),
    controlUrl: controlUrlFor(deps.baseFor(req), outcome.agent.id),
  };
  sendJson(res, 201, answer);
}

/** The token is checked again inside the directory's serial section: two requests racing with one token get one 201. */
function claimFor(tokens: TokenStore, token: string, record: TokenRecord): TokenClaim {
  return {
    async claim(agentId) {
      const again = await tokens.check(token);
      if (again.state === 'used') return { code: 'token_used', message: MESSAGES.used };
      if (again.state !== 'valid') return { code: 'invalid_token', message: MESSAGES.unknown };
      await tokens.markUsed(record, agentId);
      return null;
    },
    release: () => tokens.restore(record),
  };
}

async function readBody(req: IncomingMessage, res: ServerResponse): Promise<string | null> {
  try {
    return await readSmallBody(req, MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof BodyTooLargeError) refuse(res, 'invalid_request', `body: larger than ${MAX_BODY_BYTES} bytes`);
    else res.destroy();
    return null;
  }
}

function refuse(res: ServerResponse, code: RegistrationErrorCode, message: string, retryAfterSeconds?: number): void {
  const headers: Record<string, string> = retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {};
  if (code === 'invalid_token') headers['www-authenticate'] = 'Bearer';
  sendError(res, REGISTRATION_ERRORS[code], code, message, headers);
}
