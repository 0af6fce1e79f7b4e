import { request } from 'node:http';
import type { AdminAddress } from '../config/admin-address.js';
import type { DaemonStatus } from '../health/daemon-status.js';

/** Asking a running daemon's admin listener for its /status (for `status` and `doctor`). */

const TIMEOUT_MS = 5_000;

export type StatusAnswer = { kind: 'status'; status: DaemonStatus } | { kind: 'none'; reason: string };

export function askStatus(address: AdminAddress, timeoutMs = TIMEOUT_MS): Promise<StatusAnswer> {
  return new Promise((resolve) => {
    const target = address.kind === 'socket' ? { socketPath: address.path } : { host: address.host, port: address.port };
    const host = address.kind === 'tcp' ? hostHeader(address) : 'localhost';
    const req = request({ ...target, path: '/status', method: 'GET', headers: { host }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(parseStatus(res.statusCode ?? 0, body)));
      res.on('error', (error) => resolve({ kind: 'none', reason: error.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'none', reason: connectionProblem(error, address) }));
    req.end();
  });
}

export function describeAdmin(address: AdminAddress): string {
  return address.kind === 'socket' ? address.path : hostHeader(address);
}

function parseStatus(code: number, body: string): StatusAnswer {
  try {
    const status = JSON.parse(body) as DaemonStatus;
    if (code === 200 && typeof status.ready === 'boolean' && Array.isArray(status.components)) return { kind: 'status', status };
  } catch {
    // not ours: said below
  }
  return { kind: 'none', reason: `something answered (HTTP ${code}) but not with an mcp-workstation status: is --admin the daemon's admin address?` };
}

function connectionProblem(error: NodeJS.ErrnoException, address: AdminAddress): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'nothing listens there (is the daemon running? with which --admin?)';
    case 'ENOENT':
      return `${address.kind === 'socket' ? address.path : 'the socket'} does not exist (is the daemon running? with which --admin?)`;
    case 'EACCES':
      return 'permission denied: the admin socket is private to the user the daemon runs as; run this as that user';
    default:
      return error.message;
  }
}

function hostHeader(address: Extract<AdminAddress, { kind: 'tcp' }>): string {
  return `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
