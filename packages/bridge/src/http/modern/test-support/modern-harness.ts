import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleModernRequest, isModernRequest, ModernState, type ModernRequestContext } from '../index.js';
import { createFixtureServer, type FixtureServer } from './fixture-server.js';
import { InProcessUpstream } from './in-process-upstream.js';

/**
 * A real Node HTTP server whose handler routes 2026-07-28 requests to handleModernRequest,
 * in front of the in-process upstream double and the fixture server. It stands in for the
 * HTTP front (which is tested on its own): anything not modern gets a plain 400.
 */

export interface RecordedExchange {
  method: string;
  requestHeaders: Headers;
  status: number;
  responseHeaders: Headers;
}

export interface ModernHarness {
  url: string;
  upstream: InProcessUpstream;
  /** The era's state for the upstream, as a bridge's endpoints own it (close() ends it). */
  state: ModernState;
  fixture: FixtureServer;
  /** Every HTTP exchange made through `fetch` below. */
  exchanges: RecordedExchange[];
  /** Global fetch that records each exchange (give it to the client transport). */
  fetch: typeof fetch;
  close(): Promise<void>;
}

export type HarnessOptions = Omit<ModernRequestContext, 'state' | 'body'>;

/** `startUpstream: false` leaves the upstream uninitialized, as while a child is still starting. */
export async function startModernHarness(options: HarnessOptions = {}, { startUpstream = true } = {}): Promise<ModernHarness> {
  const fixture = createFixtureServer();
  const upstream = new InProcessUpstream(fixture.server, { name: 'fixture' });
  if (startUpstream) await upstream.start();
  const state = new ModernState(upstream);
  const server = createServer((req, res) => void route(req, res, state, options));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  const exchanges: RecordedExchange[] = [];
  return {
    url,
    upstream,
    state,
    fixture,
    exchanges,
    fetch: recordingFetch(exchanges),
    close: () => closeHarness(server, state, upstream),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, state: ModernState, options: HarnessOptions): Promise<void> {
  if (!isModernRequest(req)) {
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end('this test server serves only the 2026-07-28 era');
    return;
  }
  const text = await readBody(req);
  let body: unknown;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }));
    return;
  }
  await handleModernRequest(req, res, { ...options, state, body });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function recordingFetch(exchanges: RecordedExchange[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    exchanges.push({
      method: init?.method ?? 'GET',
      requestHeaders: new Headers(init?.headers),
      status: response.status,
      responseHeaders: response.headers,
    });
    return response;
  };
}

async function closeHarness(server: Server, state: ModernState, upstream: InProcessUpstream): Promise<void> {
  state.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await upstream.close();
}

// --- raw 2026-07-28 requests, for the cases a conforming client never produces ---

export const MODERN_VERSION = '2026-07-28';

/** A valid per-request `_meta` envelope, plus any extra keys. */
export function envelope(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
    'io.modelcontextprotocol/clientInfo': { name: 'raw-test', version: '0.0.0' },
    'io.modelcontextprotocol/clientCapabilities': {},
    ...extra,
  };
}

/** The standard request headers a conforming client derives from this body. */
export function headersFor(body: { method: string; params?: Record<string, unknown> }): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream',
    'MCP-Protocol-Version': MODERN_VERSION,
    'Mcp-Method': body.method,
  };
  const name = body.params?.name ?? body.params?.uri;
  if (typeof name === 'string' && ['tools/call', 'prompts/get', 'resources/read'].includes(body.method)) headers['Mcp-Name'] = name;
  return headers;
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  /** The JSON body, or the final JSON-RPC response of an event stream. */
  message: any;
  /** Every JSON-RPC message of an event stream (empty for a JSON answer). */
  events: any[];
}

export async function postRaw(url: string, body: unknown, headers: Record<string, string>, signal?: AbortSignal): Promise<RawAnswer> {
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal });
  const text = await response.text();
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
    const events = parseEventStream(text);
    return { status: response.status, headers: response.headers, message: events.at(-1), events };
  }
  return { status: response.status, headers: response.headers, message: text.length > 0 ? JSON.parse(text) : undefined, events: [] };
}

export function parseEventStream(text: string): any[] {
  return text
    .split(/\n\n/)
    .map((block) => block.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trimStart()).join('\n'))
    .filter((data) => data.length > 0)
    .map((data) => JSON.parse(data));
}
