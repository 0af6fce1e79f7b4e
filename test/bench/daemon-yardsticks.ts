import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { BENCH_SERVER } from './contenders.js';
import { median } from './stats.js';

/**
 * What the daemon's start is measured against, taken in the same round just before the
 * daemon starts (same machine, same load): how long Node itself takes to start and say
 * something, and how long the servers the daemon will run take to answer initialize when
 * nobody stands in front of them. The second is "the child's own start" that the issue
 * excludes from the daemon's time to ready.
 */

export interface DaemonYardsticks {
  /** `node -e` writing one byte to stderr: spawn → that byte (median of the samples). */
  emptyNodeStartMs: number;
  /**
   * `servers` test servers spawned together, each sent initialize at once: spawn of the
   * first → the last initialize answer (median of the samples). Measured as reference.ts
   * measures one server, so the two figures can be read side by side.
   */
  childrenStartMs: number;
}

const TIMEOUT_MS = 10_000;

export async function measureYardsticks(servers: number, samples: number): Promise<DaemonYardsticks> {
  const emptyNode: number[] = [];
  const children: number[] = [];
  for (let i = 0; i < samples; i++) {
    emptyNode.push(await emptyNodeStart());
    children.push(await childrenStart(servers));
  }
  return { emptyNodeStartMs: median(emptyNode), childrenStartMs: median(children) };
}

async function emptyNodeStart(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', "process.stderr.write('x')"], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await firstOutput(child, child.stderr, 'x');
    return performance.now() - started;
  } finally {
    child.kill('SIGKILL');
  }
}

/** The way the daemon starts them: one spawn after the other, then every one initializes at once. */
async function childrenStart(servers: number): Promise<number> {
  const started = performance.now();
  const spawned: ChildProcess[] = [];
  try {
    for (let i = 0; i < servers; i++) spawned.push(spawn(process.execPath, [BENCH_SERVER, 'stdio'], { stdio: ['pipe', 'pipe', 'ignore'] }));
    await Promise.all(spawned.map((child) => initialize(child)));
    return performance.now() - started;
  } finally {
    for (const child of spawned) child.kill('SIGKILL');
  }
}

function initialize(child: ChildProcess): Promise<void> {
  const request = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench-daemon-yardstick', version: '1' } },
  };
  // A child that died at once makes this write fail (EPIPE): firstOutput reports its exit.
  child.stdin?.on('error', () => undefined);
  child.stdin?.write(`${JSON.stringify(request)}\n`);
  return firstOutput(child, child.stdout, '"id":1');
}

function firstOutput(child: ChildProcess, stream: NodeJS.ReadableStream | null, marker: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no "${marker}" from a yardstick process within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      seen += chunk;
      if (!seen.includes(marker)) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error('a yardstick process exited before it answered'));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`a yardstick process did not start: ${err.message}`));
    });
  });
}
