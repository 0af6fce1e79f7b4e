import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './contenders.js';

/**
 * The owner check alone, the yardstick of the owner-check part: two bare node:http servers in
 * this one process, on loopback, answering a POST the same way (400 and a JSON-RPC error, as
 * a bridge answers a ping without a session). One is behind the daemon's own LocalUserGate,
 * used as its loopback front uses it (observe on 'connection', check on each request, a new
 * connection's first request waiting for the lookup); the other has no check. `up` and
 * `bridge` both have the check (they share the front), so only this pair tells its cost
 * apart from the rest of a request's path. Started by fork(): it sends its two ports once
 * both listen, and lives until it is killed.
 */

export interface YardstickPorts {
  withCheck: number;
  withoutCheck: number;
}

/** What of LocalUserGate is used here (packages/daemon/src/service/local-users.ts). */
interface OwnerGate {
  observe(socket: Socket): void;
  check(req: IncomingMessage, pathname: string): Refusal | null | Promise<Refusal | null>;
}

interface Refusal {
  status: number;
  body: unknown;
}

/** Not in the daemon's public face (index.ts), so the built module itself: the shipped code is what is measured. */
const LOCAL_USERS_MODULE = join(REPO_ROOT, 'packages', 'daemon', 'dist', 'service', 'local-users.js');

const NO_SESSION = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Bad Request: Mcp-Session-Id header is required' } });

function loadGate(): OwnerGate {
  const { LocalUserGate } = require(LOCAL_USERS_MODULE) as { LocalUserGate: new (options: { ownUid: number; ownUser: string }) => OwnerGate };
  return new LocalUserGate({ ownUid: process.getuid?.() ?? -1, ownUser: userInfo().username });
}

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** The answer both servers give once the request passed (or met no) check: after its body, like a bridge. */
function answerNoSession(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.once('end', () => sendJson(res, 400, NO_SESSION));
}

function serverWithCheck(gate: OwnerGate): Server {
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://yardstick.invalid').pathname;
    const verdict = gate.check(req, pathname);
    const answer = (refusal: Refusal | null) => (refusal ? sendJson(res, refusal.status, JSON.stringify(refusal.body)) : answerNoSession(req, res));
    if (verdict instanceof Promise) verdict.then(answer, () => res.destroy());
    else answer(verdict);
  });
  server.on('connection', (socket: Socket) => gate.observe(socket));
  return server;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

async function main(): Promise<void> {
  const withCheck = await listen(serverWithCheck(loadGate()));
  const withoutCheck = await listen(createServer(answerNoSession));
  const ports: YardstickPorts = { withCheck, withoutCheck };
  process.send?.(ports);
}

main().catch((err: Error) => {
  process.stderr.write(`owner-check yardstick: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
