import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The two network namespaces of the tunnel benchmark, made and removed with the same
 * scripts/netns/* the tests and the docs use. test/support/netns.ts cannot be imported here:
 * test/bench compiles with rootDir "." (its dist layout is what `npm run bench` runs) and
 * netns.ts uses jest's globals and a package's sources, so this is the minimum again, with the
 * same naming, so a leftover of a crashed benchmark is found by the tests' own cleanup too
 * (`mcpwt-<pid>-…`, removed once that pid is gone).
 */

const run = promisify(execFile);

/**
 * The repository's root, found upwards from where this file was compiled to: the benchmark
 * runs it from test/bench/dist/, the soak (which reuses the tunnel testbed) from
 * test/soak/dist/bench/, so contenders.ts's REPO_ROOT (a fixed count of levels) fits only the first.
 */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'scripts', 'netns', 'create-pair'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no repository (scripts/netns/create-pair) above ${from}`);
  }
}

const SCRIPTS = join(REPO_ROOT, 'scripts', 'netns');

/** The prefix of test/support/netns.ts (NETNS_PREFIX): namespaces, interfaces, wireguard-go sockets. */
export const NETNS_PREFIX = 'mcpwt';
const WIREGUARD_SOCKET_DIR = '/var/run/wireguard';

/** Why the tunnel cannot be measured (benchmark) or soaked here, with the fix; null when it can (as netnsPrerequisiteProblem). */
export function netnsPrerequisiteProblem(): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.geteuid?.() !== 0) return 'network namespaces and WireGuard need root: run as root (sudo npm run bench, sudo npm run soak)';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing (sudo modprobe tun)';
  const missing = ['ip', 'wg', 'wireguard-go'].filter((tool) => findOnPath(tool) === null);
  if (missing.length > 0) return `${missing.join(', ')} not found on PATH: sudo apt-get install wireguard-tools wireguard-go iproute2`;
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return '`ip netns list` fails: network namespaces are not available here';
  return null;
}

function findOnPath(tool: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return join(dir, tool);
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** A short random name part; interface names must fit in 15 characters. */
function suffix(): string {
  return randomBytes(3).toString('hex');
}

/** An interface name unique across namespaces (wireguard-go's sockets are shared by all). */
export function uniqueInterfaceName(role: 'gw' | 'ag'): string {
  return `${NETNS_PREFIX}${suffix()}${role}`;
}

export interface NamespacePair {
  /** The agent's namespace. */
  agent: string;
  /** The gateway's namespace. */
  gateway: string;
  /** Veth addresses (TEST-NET-1, as in test/support/netns.ts): the WireGuard underlay. */
  agentAddress: string;
  gatewayAddress: string;
}

const created = new Set<NamespacePair>();

/** Two namespaces joined by a veth pair; removeNamespaces() (or its sync twin) undoes it. */
export async function createNamespacePair(): Promise<NamespacePair> {
  const id = suffix();
  const base = `${NETNS_PREFIX}-${process.pid}-${id}`;
  const pair: NamespacePair = { agent: `${base}-a`, gateway: `${base}-b`, agentAddress: '192.0.2.1', gatewayAddress: '192.0.2.2' };
  created.add(pair);
  await run(join(SCRIPTS, 'create-pair'), [pair.agent, pair.gateway, `${NETNS_PREFIX}${id}va`, `${NETNS_PREFIX}${id}vb`, `${pair.agentAddress}/24`, `${pair.gatewayAddress}/24`]);
  return pair;
}

/** Every process inside, then the namespaces themselves (scripts/netns/destroy); idempotent. */
export async function removeNamespaces(pair: NamespacePair): Promise<void> {
  created.delete(pair);
  await run(join(SCRIPTS, 'destroy'), [pair.agent, pair.gateway]);
}

/** For the benchmark's exit path: the same, synchronously, for every pair still there. */
export function removeAllNamespacesNow(): void {
  for (const pair of [...created]) {
    created.delete(pair);
    spawnSync(join(SCRIPTS, 'destroy'), [pair.agent, pair.gateway], { stdio: 'ignore', timeout: 10_000 });
  }
}

/**
 * wireguard-go leaves its control socket behind when it is killed rather than stopped; the
 * socket directory is shared by every namespace, so remove ours by name.
 */
export function removeWireGuardSockets(interfaceNames: readonly string[]): void {
  if (!existsSync(WIREGUARD_SOCKET_DIR)) return;
  const ours = new Set(interfaceNames.map((name) => `${name}.sock`));
  for (const file of readdirSync(WIREGUARD_SOCKET_DIR)) {
    if (ours.has(file)) rmSync(join(WIREGUARD_SOCKET_DIR, file), { force: true });
  }
}

/**
 * Namespaces of this prefix whose owning process is gone (a benchmark or test run that was
 * killed outright): removed, as test/support/netns.ts's removeLeftovers() does. A namespace of
 * a live process, a parallel test file's, is never touched.
 */
export async function removeStaleNamespaces(): Promise<void> {
  const { stdout } = await run('ip', ['netns', 'list']);
  const stale = stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => {
      const owner = new RegExp(`^${NETNS_PREFIX}-(\\d+)-`).exec(name)?.[1];
      return owner !== undefined && !processIsAlive(Number(owner));
    });
  if (stale.length > 0) await run(join(SCRIPTS, 'destroy'), stale);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
