import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@mcp-workstation/supervisor';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { readEnvelope } from './envelope.js';
import { isModernProtocolVersion } from './era.js';
import { headerValue } from './headers.js';
import { ModernState } from './modern-state.js';
import { echoableId, errorBody } from './rejection.js';
import { serveModern } from './serve.js';

/**
 * The 2026-07-28 protocol era (no sessions, no initialize, Mcp-Method/Mcp-Name headers,
 * server/discover, MRTR, subscriptions/listen), served in front of a child that speaks an
 * older version. See docs/protocol-eras.md.
 */

/** How long a parked call waits for its retry (docs/protocol-eras.md "An abandoned call"). */
const DEFAULT_INPUT_REQUEST_TTL_MS = 2 * 60_000;
const DEFAULT_LISTEN_KEEP_ALIVE_MS = 15_000;

/**
 * True when this request speaks the 2026-07-28 era, decided from headers only, before the
 * body is read: its `MCP-Protocol-Version` names a revision at or after 2026-07-28. The
 * header is required on every modern POST (streamable-http#protocol-version-header) and no
 * legacy client sends such a value, so legacy traffic (including `initialize`, which has no
 * header yet) never lands here. An unknown future revision also lands here, to be answered
 * with UnsupportedProtocolVersion.
 *
 * True for any HTTP method: a GET or DELETE with a modern header is answered 405 without
 * looking at the body, so the caller may pass `body: undefined` for those.
 */
export function isModernRequest(req: IncomingMessage): boolean {
  const version = headerValue(req, 'mcp-protocol-version');
  if (version === undefined) return false;
  if (isModernProtocolVersion(version)) return true;
  // A version no era knows (not a date, a typo, "v999.0.0") on a request outside any session:
  // the legacy path could only say "session required"; the modern one answers what is wrong
  // (-32022 with the supported versions, under the request's id). Within a session it stays
  // legacy, where the SDK refuses it as that session's client expects.
  return !SUPPORTED_PROTOCOL_VERSIONS.includes(version) && headerValue(req, 'mcp-session-id') === undefined;
}

/**
 * For a caller that already parsed a body whose headers were not modern: true when the body
 * nevertheless claims the 2026-07-28 envelope (`params._meta["io.modelcontextprotocol/protocolVersion"]`
 * naming a modern revision). Such a client forgot the required MCP-Protocol-Version header;
 * routing it to handleModernRequest answers it with the spec's HeaderMismatch error instead
 * of a confusing legacy one. Optional: without it, the legacy path refuses the request.
 */
export function claimsModernEnvelope(body: unknown): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  const reading = readEnvelope((body as { params?: unknown }).params);
  return reading.kind === 'valid' && isModernProtocolVersion(reading.envelope.protocolVersion);
}

export { ModernState };

export interface ModernRequestContext {
  /** The server's era state (ModernState: parked calls, listen streams, header declarations), which its endpoints own. */
  state: ModernState;
  /** The parsed JSON body (already size-limited and parsed by the HTTP front; -32700 answered there). Unused for non-POST. */
  body: unknown;
  logger?: Logger;
  /**
   * Versions this endpoint also serves with the legacy handshake, listed after the modern
   * ones in UnsupportedProtocolVersion errors so a dual-era client can fall back. Default:
   * the SDK's SUPPORTED_PROTOCOL_VERSIONS.
   */
  legacyProtocolVersions?: readonly string[];
  /** How long a call that asked the client for input waits for the client's retry. Default 2 min. */
  inputRequestTtlMs?: number;
  /** Interval of keep-alive comments on subscriptions/listen streams. Default 15 s. */
  listenKeepAliveMs?: number;
}

/**
 * Serve one 2026-07-28 HTTP request. Host/Origin/API-key checks were already done by the
 * caller. Resolves when the response is finished or the client went away (a
 * subscriptions/listen stream lasts until then); never rejects.
 */
export async function handleModernRequest(req: IncomingMessage, res: ServerResponse, ctx: ModernRequestContext): Promise<void> {
  const settled = responseSettled(res);
  try {
    await serveModern(req, res, {
      upstream: ctx.state.upstream,
      state: ctx.state,
      body: ctx.body,
      logger: ctx.logger,
      legacyProtocolVersions: ctx.legacyProtocolVersions ?? SUPPORTED_PROTOCOL_VERSIONS,
      inputRequestTtlMs: ctx.inputRequestTtlMs ?? DEFAULT_INPUT_REQUEST_TTL_MS,
      listenKeepAliveMs: ctx.listenKeepAliveMs ?? DEFAULT_LISTEN_KEEP_ALIVE_MS,
    });
  } catch (error) {
    answerInternalError(res, ctx, error);
  }
  await settled;
}

function responseSettled(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.writableFinished || res.destroyed) return resolve();
    res.once('finish', () => resolve());
    res.once('close', () => resolve());
  });
}

/** Never a crash: whatever went wrong becomes a -32603 naming the server (other requests are untouched). */
function answerInternalError(res: ServerResponse, ctx: ModernRequestContext, error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  ctx.logger?.error('2026-07-28 request failed inside the bridge', { server: ctx.state.upstream.name, error: reason });
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = errorBody(echoableId(ctx.body), -32603, `Internal error while serving server "${ctx.state.upstream.name}": ${reason}`);
  res.writeHead(500, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
