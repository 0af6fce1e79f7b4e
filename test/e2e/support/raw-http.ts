import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import WebSocket from 'ws';
import { withDeadline } from './wait';

/**
 * Raw HTTP for what the SDK's clients will not send: chosen ids, forged Host and Origin
 * headers, broken bodies. node:http rather than fetch because fetch may not set Host.
 */

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** JSON-RPC messages in the body, whether it was JSON or an SSE stream. */
  messages: Array<Record<string, unknown>>;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

export function rawRequest(url: string, options: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, messages: parseMessages(res.headers['content-type'], text) });
      });
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 15_000, () => req.destroy(new Error(`no complete answer from ${url} in time`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export const MCP_ACCEPT = 'application/json, text/event-stream';

/** POST one JSON-RPC message (or raw text) to a Streamable HTTP endpoint. */
export function postMcp(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: MCP_ACCEPT, ...headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
}

export interface RawSession {
  sessionId: string;
  protocolVersion: string;
  headers: Record<string, string>;
}

/** initialize + notifications/initialized by hand: a session whose ids the test chooses. */
export async function openRawSession(url: string, protocolVersion = '2025-11-25', extraHeaders: Record<string, string> = {}): Promise<RawSession> {
  const init = await postMcp(
    url,
    {
      jsonrpc: '2.0',
      id: 'init',
      method: 'initialize',
      params: { protocolVersion, capabilities: {}, clientInfo: { name: 'e2e-raw', version: '1.0.0' } },
    },
    extraHeaders,
  );
  const sessionId = init.headers['mcp-session-id'];
  if (init.status !== 200 || typeof sessionId !== 'string') {
    throw new Error(`initialize failed: HTTP ${init.status} ${init.text}`);
  }
  const result = init.messages[0]?.result as { protocolVersion: string };
  const headers = { ...extraHeaders, 'mcp-session-id': sessionId, 'mcp-protocol-version': result.protocolVersion };
  const initialized = await postMcp(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  if (initialized.status !== 202) throw new Error(`notifications/initialized got HTTP ${initialized.status} ${initialized.text}`);
  return { sessionId, protocolVersion: result.protocolVersion, headers };
}

function parseMessages(contentType: string | undefined, text: string): Array<Record<string, unknown>> {
  if (contentType?.includes('text/event-stream')) return parseSse(text);
  if (contentType?.includes('application/json') && text.trim() !== '') {
    try {
      const parsed = JSON.parse(text) as unknown;
      return (Array.isArray(parsed) ? parsed : [parsed]) as Array<Record<string, unknown>>;
    } catch {
      return [];
    }
  }
  return [];
}

function parseSse(text: string): Array<Record<string, unknown>> {
  const messages: Array<Record<string, unknown>> = [];
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data.trim() === '') continue;
    try {
      messages.push(JSON.parse(data) as Record<string, unknown>);
    } catch {
      // a non-JSON event (a comment or priming event) is not a message
    }
  }
  return messages;
}

/** The HTTP status a WebSocket upgrade with these headers is answered with; fails if the upgrade is accepted. */
export function wsUpgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return withDeadline(
    new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(url, 'mcp', { headers });
      socket.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        socket.terminate();
      });
      socket.on('open', () => {
        socket.close();
        reject(new Error(`the WebSocket upgrade with ${JSON.stringify(headers)} was accepted`));
      });
      socket.on('error', reject);
    }),
    10_000,
    'the WebSocket upgrade answer',
  );
}
