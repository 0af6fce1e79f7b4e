import type { ServerResponse } from 'node:http';
import type { Upstream } from '../upstream/types.js';

/**
 * /healthz (the process answers) and /readyz (every server's child is initialized and
 * answering, from the upstreams' own readiness, never guessed). Bodies carry states and
 * reasons only: no configuration, no commands, no secrets.
 */

export type ReadinessStatus = 'ready' | 'starting' | 'degraded';

export interface ServerReadiness {
  name: string;
  state: string;
  ready: boolean;
  reason: string;
}

export interface ReadinessReport {
  status: ReadinessStatus;
  servers: ServerReadiness[];
}

export class ReadinessMonitor {
  /** "starting" lasts until every server has been ready once; after that a lapse is "degraded". */
  private readonly everReady = new Set<string>();

  /** `upstreams` is read at each report: the servers served now, which change at runtime. */
  constructor(private readonly upstreams: () => readonly Upstream[]) {}

  report(): ReadinessReport {
    const upstreams = this.upstreams();
    const servers = upstreams.map((upstream) => serverReadiness(upstream));
    for (const server of servers) if (server.ready) this.everReady.add(server.name);
    const allReady = servers.every((s) => s.ready);
    const allWereReady = upstreams.every((u) => this.everReady.has(u.name));
    const status: ReadinessStatus = allReady ? 'ready' : allWereReady ? 'degraded' : 'starting';
    return { status, servers };
  }

  /** A server was removed or replaced: a later one of that name is "starting" until it has been ready once. */
  forget(name: string): void {
    this.everReady.delete(name);
  }
}

function serverReadiness(upstream: Upstream): ServerReadiness {
  try {
    const { ready, state, reason } = upstream.readiness();
    return { name: upstream.name, state, ready, reason };
  } catch (error) {
    return { name: upstream.name, state: 'failed', ready: false, reason: `readiness check failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export function answerHealthz(res: ServerResponse): void {
  sendJson(res, 200, { status: 'ok' });
}

export function answerReadyz(res: ServerResponse, monitor: ReadinessMonitor): void {
  const report = monitor.report();
  sendJson(res, report.status === 'ready' ? 200 : 503, report);
}

/** supergateway's --healthEndpoint answers a plain "ok". */
export function answerPlainOk(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 2, 'Cache-Control': 'no-store' });
  res.end('ok');
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}
