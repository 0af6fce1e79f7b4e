import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { everythingServerArgv, waitFor } from './support';

/**
 * Helpers of the daemon-*.test.ts suites: a private directory per test (config files, the
 * admin socket, fixtures), the admin listener over its unix socket, and a small stdio MCP
 * server written by hand (plain JSON-RPC lines, no SDK) whose start-up the test controls.
 */

export interface Workspace {
  dir: string;
  /** The admin socket path for `up --admin` (short: sun_path holds about 100 bytes). */
  admin: string;
  write(name: string, text: string, mode?: number): string;
  remove(): void;
}

export function makeWorkspace(): Workspace {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpw-d-'));
  return {
    dir,
    admin: path.join(dir, 'admin.sock'),
    write(name, text, mode = 0o600) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      chmodSync(file, mode);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A YAML server entry running server-everything. */
export function everythingServerYaml(name: string, extra: string[] = []): string {
  const [command, ...args] = everythingServerArgv();
  return [`  ${name}:`, `    command: ${JSON.stringify(command)}`, `    args: ${JSON.stringify(args)}`, ...extra.map((line) => `    ${line}`)].join('\n');
}

export interface AdminAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** GET a path of the admin listener at a unix socket. */
export function adminGet(socketPath: string, urlPath: string): Promise<AdminAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: urlPath, method: 'GET', headers: { host: 'localhost' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer from the admin socket for ${urlPath}`)));
    req.on('error', reject);
    req.end();
  });
}

export interface StatusJson {
  ready: boolean;
  status: string;
  notReady: string[];
  components: Array<{ name: string; kind: string; state: string; reason: string; required: boolean; details?: Record<string, unknown> }>;
  lastErrors: Array<{ level: string; message: string }>;
}

export async function adminStatus(socketPath: string): Promise<StatusJson> {
  const answer = await adminGet(socketPath, '/status');
  if (answer.status !== 200) throw new Error(`/status answered ${answer.status}: ${answer.text}`);
  return JSON.parse(answer.text) as StatusJson;
}

/** Waits until /status satisfies `predicate` (the admin listener may not be up yet). */
export function waitForStatus(socketPath: string, predicate: (status: StatusJson) => boolean, what: string, timeoutMs = 20_000): Promise<StatusJson> {
  return waitFor(async () => {
    const status = await adminStatus(socketPath);
    return predicate(status) ? status : undefined;
  }, { what, timeoutMs });
}

export function serverComponent(status: StatusJson, name: string) {
  return status.components.find((component) => component.name === `server ${name}`);
}

/**
 * A stdio MCP server in plain JSON-RPC (no SDK), configured by its environment:
 *   GATE_FILE     answer initialize only once this file exists (a server that is slow to start)
 *   STDERR_TEXT   written to stderr at start (what a server might leak into its logs)
 *   STDERR_ENV    names of variables whose values it writes to stderr, bare, at start
 * It answers initialize, ping, tools/list (one tool "hello") and tools/call.
 */
export const GATED_SERVER_SOURCE = `
const fs = require('node:fs');
const readline = require('node:readline');
if (process.env.STDERR_TEXT) process.stderr.write(process.env.STDERR_TEXT + '\\n');
for (const name of (process.env.STDERR_ENV || '').split(',').filter(Boolean)) process.stderr.write('my ' + name + ' is ' + process.env[name] + '\\n');
const send = (message) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', ...message }) + '\\n');
function whenOpen(then) {
  const gate = process.env.GATE_FILE;
  if (!gate || fs.existsSync(gate)) return then();
  const timer = setInterval(() => { if (fs.existsSync(gate)) { clearInterval(timer); then(); } }, 50);
}
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let message;
  try { message = JSON.parse(line); } catch { return; }
  if (message.id === undefined || message.method === undefined) return;
  switch (message.method) {
    case 'initialize':
      return whenOpen(() => send({ id: message.id, result: { protocolVersion: message.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'gated-fixture', version: '1.0.0' } } }));
    case 'ping':
      return send({ id: message.id, result: {} });
    case 'tools/list':
      return send({ id: message.id, result: { tools: [{ name: 'hello', description: 'Says hello.', inputSchema: { type: 'object' } }] } });
    case 'tools/call':
      return send({ id: message.id, result: { content: [{ type: 'text', text: 'hello from ' + (process.env.FIXTURE_NAME || 'the fixture') }] } });
    default:
      return send({ id: message.id, error: { code: -32601, message: 'Method not found: ' + message.method } });
  }
});
`;

export function writeGatedServer(workspace: Workspace): string {
  return workspace.write('gated-server.js', GATED_SERVER_SOURCE, 0o644);
}
