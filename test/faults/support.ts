import { readdirSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, startDaemon, type Daemon, type StartOptions } from '../e2e/support';

/**
 * Helpers of the fault suite (test/faults/): the fault fixture server, the two ways to run it
 * (`up` and `bridge`), and the facts the cases check from outside (open fds from /proc, the
 * admin listener's /metrics and /healthz).
 */

export const FAULT_SERVER = join(FIXTURES, 'fault-server.js');

export type Mode = 'up' | 'bridge';

/** What a mode's errors call the server: `up --name faulty`; bridge names it after the command's file. */
export const SERVER_NAME: Record<Mode, string> = { up: 'faulty', bridge: 'fault-server' };

/** The fault fixture served by `up -- …` or by `bridge --stdio …` (stateful Streamable HTTP). */
export function startFaultServer(mode: Mode, options: StartOptions & { extraArgs?: string[] } = {}): Promise<Daemon> {
  const extra = options.extraArgs ?? [];
  if (mode === 'up') return startDaemon(['up', '--port', '0', ...extra, '--name', SERVER_NAME.up, '--', process.execPath, FAULT_SERVER], options);
  return startDaemon(['bridge', '--stdio', `${process.execPath} ${FAULT_SERVER}`, '--outputTransport', 'streamableHttp', '--stateful', '--port', '0', ...extra], options);
}

/** Open file descriptors of a process (/proc/<pid>/fd). */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** A private directory for configs and the admin socket; remove() in afterEach. */
export function scratchDir(): { dir: string; admin: string; write(name: string, text: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mcpw-f-'));
  return {
    dir,
    admin: join(dir, 'admin.sock'),
    write(name, text) {
      const file = join(dir, name);
      writeFileSync(file, text, { mode: 0o600 });
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** GET a path of the admin listener on its unix socket; rejects after `timeoutMs`. */
export function adminGet(socketPath: string, path: string, timeoutMs = 5_000): Promise<{ status: number; text: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, headers: { host: 'localhost' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ms: Date.now() - started }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer to ${path} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The sum of a Prometheus series over its labels. */
export function metric(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    sum = (sum ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
