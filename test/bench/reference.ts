import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { BENCH_SERVER } from './contenders.js';
import { readProcess, ticksToMs } from './proc-tree.js';
import { median } from './stats.js';

/**
 * Yardsticks measured once per run, on the same machine under the same load: what any Node
 * process costs, and what starting the test server costs. A bridge that is a Node process in
 * front of a Node child can never weigh less than the child plus an empty Node process, and a
 * bridge that spawns a child per session can never open sessions faster than children start.
 */

export interface ReferenceFigures {
  /** RSS of `node -e` that only waits. */
  emptyNodeRssMB: number;
  /** The test server over stdio: spawn until its initialize answer. */
  serverStartMs: number;
  /** CPU it used to get there (utime+stime). */
  serverStartCpuMs: number;
  /** Its RSS once initialized. */
  serverRssMB: number;
}

const MB = 1024 * 1024;

export async function measureReferences(samples = 3): Promise<ReferenceFigures> {
  const empty: number[] = [];
  const starts: Array<{ ms: number; cpuMs: number; rssMB: number }> = [];
  for (let i = 0; i < samples; i++) {
    empty.push(await emptyNodeRss());
    starts.push(await serverStart());
  }
  return {
    emptyNodeRssMB: median(empty),
    serverStartMs: median(starts.map((s) => s.ms)),
    serverStartCpuMs: median(starts.map((s) => s.cpuMs)),
    serverRssMB: median(starts.map((s) => s.rssMB)),
  };
}

async function emptyNodeRss(): Promise<number> {
  const child = spawn(process.execPath, ['-e', "process.stdout.write('ready\\n'); setInterval(() => {}, 1 << 30)"], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await firstOutput(child, 'ready', 10_000);
    return (readProcess(child.pid as number)?.rssBytes ?? Number.NaN) / MB;
  } finally {
    child.kill('SIGKILL');
  }
}

async function serverStart(): Promise<{ ms: number; cpuMs: number; rssMB: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [BENCH_SERVER, 'stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  try {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench-reference', version: '1' } },
    };
    child.stdin?.write(`${JSON.stringify(initialize)}\n`);
    await firstOutput(child, '"id":1', 10_000);
    const ms = performance.now() - started;
    const info = readProcess(child.pid as number);
    return { ms, cpuMs: ticksToMs(info?.cpuTicks ?? Number.NaN), rssMB: (info?.rssBytes ?? Number.NaN) / MB };
  } finally {
    child.kill('SIGKILL');
  }
}

function firstOutput(child: ChildProcess, marker: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no "${marker}" from a reference process within ${timeoutMs} ms`)), timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
      if (seen.includes(marker)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => reject(new Error('a reference process exited early')));
  });
}
