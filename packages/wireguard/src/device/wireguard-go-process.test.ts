import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { uapiGet } from '../uapi';
import { WireGuardGoProcess } from './wireguard-go-process';

// Stand-ins for the wireguard-go executable (real child processes), so start, stop and exit
// handling are checked without root; the real wireguard-go runs in
// test/e2e/wireguard-backend.test.ts.

let dir: string;
const started: WireGuardGoProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wg-process-test-'));
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((running) => running.stop()));
  rmSync(dir, { recursive: true, force: true });
});

function executable(name: string, source: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  chmodSync(file, 0o755);
  return file;
}

/** Serves a UAPI-shaped socket next to itself, named after the interface, like wireguard-go. */
function fakeWireGuardGo(onTerm: 'exit' | 'ignore' = 'exit'): string {
  return executable(
    'fake-wireguard-go',
    `#!${process.execPath}
const net = require('node:net');
const fs = require('node:fs');
const socketPath = require('node:path').join(__dirname, process.argv[3] + '.sock');
if (process.argv[2] !== '-f') process.exit(64);
const server = net.createServer((socket) => socket.on('data', () => socket.write('errno=0\\n\\n')));
server.listen(socketPath);
process.on('SIGTERM', () => {
  if (${JSON.stringify(onTerm)} === 'ignore') return;
  server.close();
  fs.rmSync(socketPath, { force: true });
  process.exit(0);
});
`,
  );
}

async function start(executablePath: string, extra: Partial<Parameters<typeof WireGuardGoProcess.start>[0]> = {}): Promise<WireGuardGoProcess> {
  const running = await WireGuardGoProcess.start({
    executable: executablePath,
    interfaceName: 'mcpwtest0',
    socketPath: path.join(dir, 'mcpwtest0.sock'),
    startTimeoutMs: 10_000,
    ...extra,
  });
  started.push(running);
  return running;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('WireGuardGoProcess', () => {
  it('resolves once the socket answers, and stop() ends it and its socket', async () => {
    const running = await start(fakeWireGuardGo());
    await expect(uapiGet(path.join(dir, 'mcpwtest0.sock'))).resolves.toEqual({ publicKey: null, listenPort: null, peers: [] });
    const pid = running.pid as number;
    await running.stop();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(path.join(dir, 'mcpwtest0.sock'))).toBe(false);
  });

  it('reports an exit it did not cause, and stop() then removes the socket file left behind', async () => {
    const exits: string[] = [];
    const running = await start(fakeWireGuardGo(), { onUnexpectedExit: (_exited, description) => exits.push(description) });
    process.kill(running.pid as number, 'SIGKILL');
    await waitUntil(() => exits.length > 0);
    expect(exits).toEqual(['killed by SIGKILL']);
    expect(running.hasExited).toBe(true);
    expect(existsSync(path.join(dir, 'mcpwtest0.sock'))).toBe(true);
    await running.stop();
    expect(existsSync(path.join(dir, 'mcpwtest0.sock'))).toBe(false);
  });

  it('does not report the exit that stop() causes', async () => {
    const exits: string[] = [];
    const running = await start(fakeWireGuardGo(), { onUnexpectedExit: (_exited, description) => exits.push(description) });
    await running.stop();
    expect(exits).toEqual([]);
  });

  it('kills a process that ignores SIGTERM after the grace period', async () => {
    const running = await start(fakeWireGuardGo('ignore'), { stopGraceMs: 200 });
    const pid = running.pid as number;
    await running.stop();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(path.join(dir, 'mcpwtest0.sock'))).toBe(false);
  });

  it('fails the start with the last output lines when it exits first', async () => {
    const failing = executable('failing', '#!/bin/sh\necho "ERROR: (mcpwtest0) Failed to create TUN device: operation not permitted" >&2\nexit 1\n');
    await expect(start(failing)).rejects.toThrow(
      'wireguard-go exited with code 1 while starting; its last output:\nERROR: (mcpwtest0) Failed to create TUN device: operation not permitted',
    );
  });

  it('fails the start when the socket does not answer in time, and leaves nothing running', async () => {
    const pidFile = path.join(dir, 'pid');
    const silent = executable('silent', `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 60\n`);
    await expect(start(silent, { startTimeoutMs: 300 })).rejects.toThrow(`wireguard-go did not open ${path.join(dir, 'mcpwtest0.sock')} within 300 ms`);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitUntil(() => !isAlive(pid));
  });

  it('says when the executable cannot be started at all', async () => {
    await expect(start(path.join(dir, 'missing-wireguard-go'))).rejects.toThrow(/wireguard-go could not be started: spawn .*missing-wireguard-go ENOENT while starting/);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within the deadline');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
