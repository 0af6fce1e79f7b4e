import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { percentile } from './stats.js';

/**
 * The owner-check part's requests: one JSON-RPC `ping` POSTed to /mcp without a session (the
 * bridge answers it with an HTTP error, after the owner check passed it: /mcp is no health
 * path, so it is never exempt), timed from the request's start to the last byte of its
 * answer. Either on a new TCP connection each (connect, POST, read, close; the next one starts
 * once the socket is closed) or all on one kept-alive connection. The listeners take turns
 * request by request, in rotating order, so a moment of a busy machine falls on all of them.
 *
 * A new connection is closed with a reset (SO_LINGER 0), not a FIN: a graceful close leaves
 * the connection in TIME_WAIT for a minute, listed in /proc/net/tcp, which every owner lookup
 * reads through. A round's own 1,300 connections then made the lookups of its later requests
 * several times slower (tried: about 2 ms with a near-empty table, 8 to 12 ms with 4,000
 * entries), so the figure would measure the benchmark's own traffic, growing from round to
 * round. The timed part, connect to the answer's last byte, is the same either way.
 */

export type Connection = 'new' | 'kept-alive';

export interface Listener<Id extends string> {
  id: Id;
  url: string;
}

export interface SeriesFigures {
  /** Requests timed (the warm-up's are not). */
  n: number;
  p50Ms: number;
  p99Ms: number;
  /** TCP connections the timed requests used: n for new ones, 1 when kept alive throughout. */
  connections: number;
  /** How many answers had each HTTP status (403: the owner check refused us). */
  statuses: Record<string, number>;
  /** Requests that got no answer (a socket error, the timeout). */
  errors: number;
  firstError?: string;
}

interface Answer {
  ms: number;
  status: number;
  socket?: Socket;
  error?: string;
}

const PING = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });

/** `warmup` untimed then `count` timed requests per listener, interleaved; figures per listener id. */
export async function measureSeries<Id extends string>(listeners: Array<Listener<Id>>, connection: Connection, count: number, warmup: number, timeoutMs: number): Promise<Record<Id, SeriesFigures>> {
  // Keep-alive for new connections too: the client, not the server, then closes (with a reset).
  const agents = listeners.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const answers = listeners.map((): Answer[] => []);
  try {
    for (let i = 0; i < warmup + count; i++) {
      for (let turn = 0; turn < listeners.length; turn++) {
        const which = (i + turn) % listeners.length;
        const answer = await postPing(listeners[which].url, agents[which], connection, timeoutMs);
        if (i >= warmup) answers[which].push(answer);
      }
    }
  } finally {
    for (const agent of agents) agent.destroy();
  }
  const figures = {} as Record<Id, SeriesFigures>;
  listeners.forEach((listener, index) => (figures[listener.id] = figuresOf(answers[index])));
  return figures;
}

function figuresOf(answers: Answer[]): SeriesFigures {
  const answered = answers.filter((answer) => answer.error === undefined);
  const times = answered.map((answer) => answer.ms);
  const statuses: Record<string, number> = {};
  for (const { status } of answered) statuses[status] = (statuses[status] ?? 0) + 1;
  const failed = answers.filter((answer) => answer.error !== undefined);
  return {
    n: answered.length,
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    connections: new Set(answered.map((answer) => answer.socket)).size,
    statuses,
    errors: failed.length,
    firstError: failed[0]?.error,
  };
}

/** One timed POST; never rejects (a failure is an Answer with `error`). On a new connection, resets it and resolves once it closed. */
function postPing(url: string, agent: Agent, connection: Connection, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const started = performance.now();
    let socket: Socket | undefined;
    const fail = (error: Error) => resolve({ ms: performance.now() - started, status: 0, socket, error: error.message });
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'Content-Length': Buffer.byteLength(PING) };
    const req = request(url, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.once('error', fail);
      res.once('end', () => {
        const answer = { ms: performance.now() - started, status: res.statusCode ?? 0, socket };
        if (connection === 'kept-alive' || !socket || socket.closed) return resolve(answer);
        socket.once('close', () => resolve(answer));
        socket.resetAndDestroy();
      });
    });
    req.once('socket', (s: Socket) => (socket = s));
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', fail);
    req.end(PING);
  });
}

/**
 * Entries in /proc/net/tcp and tcp6 now (connections in TIME_WAIT included): what the owner
 * lookup of a new connection reads through, so the new-connection figures are read with it.
 */
export function tcpTableEntries(): number {
  let entries = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      entries += readFileSync(table, 'latin1').split('\n').filter((line) => line.trim() !== '').length - 1;
    } catch {
      // not Linux, or not readable: counted as none
    }
  }
  return entries;
}
