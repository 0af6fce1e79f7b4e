import * as http from 'node:http';
import { pipeline, type Transform } from 'node:stream';
import type { GatewayLogger } from '../log/logger.js';
import { headersForAgent, headersForClient } from './forward-headers.js';
import { sendJsonRpcError } from './jsonrpc-error.js';

export interface ForwardTarget {
  /** The agent's tunnel address and MCP port. */
  address: string;
  port: number;
  /** Path and query on the agent, e.g. /servers/aws/mcp?x=1. */
  path: string;
  /** Names the agent in errors: "agent agt_… (alice-laptop)". */
  label: string;
  /** Extra headers on the client's response (CORS). */
  responseHeaders: http.OutgoingHttpHeaders;
  /** Applied to an event-stream answer (the legacy endpoint rewrite), else bytes pass as they are. */
  eventStreamTransform?: () => Transform;
}

export interface ForwardOptions {
  agent: http.Agent;
  connectTimeoutMs: number;
  log: GatewayLogger;
}

/**
 * Streams one request to the agent and its answer back, body and all, chunk by chunk, with
 * back-pressure both ways: neither body is ever held whole (a 5 MB result or an endless SSE
 * stream cost the same memory). Failures before the answer's headers become a JSON-RPC error
 * naming the agent (502, or 504 when it did not accept the connection in time); after them,
 * the client's connection is cut, which is all HTTP allows.
 */
export function forward(req: http.IncomingMessage, res: http.ServerResponse, target: ForwardTarget, options: ForwardOptions): void {
  const upstream = http.request({
    host: target.address,
    port: target.port,
    method: req.method,
    path: target.path,
    headers: headersForAgent(req.headers, `${target.address}:${target.port}`),
    agent: options.agent,
  });
  guardConnect(upstream, options.connectTimeoutMs);

  upstream.on('response', (answer) => relayAnswer(answer, res, target, options));
  upstream.on('error', (err) => {
    if (!res.headersSent) return failBeforeAnswer(res, err, target, options);
    options.log.debug(`${target.label}: the answer broke off: ${err.message}`);
    res.destroy();
  });
  // The client went away (or the answer is done): nothing more to send or receive upstream.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.on('error', () => upstream.destroy());
  req.pipe(upstream);
}

function relayAnswer(answer: http.IncomingMessage, res: http.ServerResponse, target: ForwardTarget, options: ForwardOptions): void {
  const headers = { ...headersForClient(answer.headers), ...target.responseHeaders };
  const isEventStream = /^text\/event-stream\b/i.test(String(answer.headers['content-type'] ?? ''));
  const transform = isEventStream ? target.eventStreamTransform?.() : undefined;
  if (transform) delete headers['content-length'];
  res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
  // Headers now, not with the first event: an SSE client waits for them before anything else.
  if (isEventStream) res.flushHeaders();
  const done = (err: NodeJS.ErrnoException | null) => {
    if (err && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') options.log.debug(`${target.label}: stream ended early: ${err.message}`);
  };
  if (transform) return void pipeline(answer, transform, res, done);
  relayBody(answer, res, done);
}

/**
 * answer.pipe(res), with the teardown pipeline() would do: an answer that breaks off cuts the
 * client's connection (forward() already ends the upstream request when the client goes).
 * Not pipeline() itself: in Node 20 it ends every stream pair by aborting an AbortController,
 * which builds a DOMException with a stack trace, on every call through the gateway.
 */
function relayBody(answer: http.IncomingMessage, res: http.ServerResponse, done: (err: NodeJS.ErrnoException | null) => void): void {
  // Node 20 reports an answer cut short as an 'error' (ECONNRESET, "aborted").
  answer.on('error', (err) => {
    done(err);
    res.destroy();
  });
  answer.pipe(res);
}

class ConnectTimeoutError extends Error {
  readonly code = 'ECONNECTTIMEOUT';
}

/** http.request has no connect timeout of its own; a tunnel without a handshake drops SYNs silently. */
function guardConnect(upstream: http.ClientRequest, timeoutMs: number): void {
  upstream.on('socket', (socket) => {
    if (!socket.connecting) return;
    const timer = setTimeout(() => upstream.destroy(new ConnectTimeoutError(`no connection within ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
  });
}

function failBeforeAnswer(res: http.ServerResponse, err: NodeJS.ErrnoException, target: ForwardTarget, options: ForwardOptions): void {
  const where = `${target.address}:${target.port}`;
  options.log.warn(`${target.label} is unreachable at ${where}: ${err.code ?? err.message}`);
  if (err instanceof ConnectTimeoutError) {
    return sendJsonRpcError(res, 504, `${target.label} did not answer at ${where} within ${options.connectTimeoutMs} ms (is its tunnel up?)`, target.responseHeaders as Record<string, string>);
  }
  const why = err.code === 'ECONNREFUSED' ? 'refused the connection' : `could not be reached (${err.code ?? err.message})`;
  sendJsonRpcError(res, 502, `${target.label} ${why} at ${where}`, target.responseHeaders as Record<string, string>);
}
