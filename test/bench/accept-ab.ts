import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContenderProcess } from './contender-process.js';
import { contenderById } from './contenders.js';
import { LoadSession } from './load-session.js';
import { percentile } from './stats.js';

/**
 * `npm run bench:accept`: what a client gains by preferring JSON answers, measured A/B in one
 * process against ONE `mcp-workstation bridge --stateful` (the mcpw-shared contender): two
 * SDK clients, one sending the SDK's own Accept (quick answers come back as one-write SSE
 * streams), one ranking application/json first (quick answers come back as JSON bodies,
 * quick-answer.ts). Blocks of 100 sequential `tools/call echo` alternate between them, so
 * both see the same machine at the same moments: on a shared machine the main benchmark's
 * sequential p50, measured minutes apart per contender, moves more than the difference.
 *
 *   npm run bench:accept [-- <blocks>]     (default 20 blocks each; the first 2 are warm-up)
 */

const BLOCK_CALLS = 100;
const WARMUP_BLOCKS = 2;
const PREFERS_JSON = 'application/json, text/event-stream;q=0.9';

async function main(): Promise<void> {
  const blocks = Number(process.argv[2] ?? 20);
  if (!Number.isInteger(blocks) || blocks <= WARMUP_BLOCKS) throw new Error(`blocks must be an integer above ${WARMUP_BLOCKS}, got ${process.argv[2]}`);
  const logFile = join(mkdtempSync(join(tmpdir(), 'mcpw-accept-ab-')), 'bridge.log');
  const bridge = await ContenderProcess.start(contenderById('mcpw-shared'), logFile);
  try {
    const clients = { sse: await LoadSession.open(bridge.url), json: await LoadSession.open(bridge.url, PREFERS_JSON) };
    const samples: Record<keyof typeof clients, number[]> = { sse: [], json: [] };
    for (let block = 0; block < blocks; block++) {
      for (const name of ['sse', 'json'] as const) {
        for (let call = 0; call < BLOCK_CALLS; call++) {
          const started = performance.now();
          await clients[name].echo();
          if (block >= WARMUP_BLOCKS) samples[name].push(performance.now() - started);
        }
      }
    }
    for (const name of ['sse', 'json'] as const) {
      const ms = samples[name];
      process.stdout.write(`${name === 'sse' ? 'SDK Accept (SSE answers) ' : 'prefers JSON (JSON answers)'}  p50 ${percentile(ms, 50).toFixed(3)} ms  p90 ${percentile(ms, 90).toFixed(3)} ms  (${ms.length} calls)\n`);
    }
    await Promise.all(Object.values(clients).map((client) => client.close()));
  } finally {
    await bridge.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:accept failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
