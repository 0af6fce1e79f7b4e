import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from '../../packages/tunnel/src/wireguard/find-executable';
import { UAPI_SOCKET_DIRECTORY, uapiSocketIsLive } from '@mcp-workstation/wireguard';

/**
 * Network namespaces for tests that need real WireGuard: everything the tests create lives
 * inside namespaces of their own (so traffic never leaves them), and is removed afterwards,
 * also on failure. The shell work is scripts/netns/*, so people trying the tunnel by hand
 * and the tests use the same steps.
 */

const run = promisify(execFile);
const SCRIPTS = path.resolve(__dirname, '../../scripts/netns');

/**
 * Every namespace, interface and socket name starts with this. Namespace names also carry
 * the pid of the test process that owns them, so a cleanup of leftovers never touches
 * namespaces of a test file running in parallel.
 */
export const NETNS_PREFIX = 'mcpwt';

/** Why namespace tests cannot run here, or null when they can. */
export function netnsPrerequisiteProblem(): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.geteuid?.() !== 0) return 'network namespace tests need root (run jest as root)';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing (sudo modprobe tun)';
  const missing = ['ip', 'wg', 'wireguard-go'].filter((tool) => findExecutable(tool) === null);
  if (missing.length > 0) return `${missing.join(', ')} not found on PATH: sudo apt-get install wireguard-tools wireguard-go iproute2`;
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return '`ip netns list` fails: network namespaces are not available here';
  return null;
}

/**
 * `describe` when namespace tests can run. Otherwise, outside CI, the suite is listed as a
 * todo whose title is the reason (jest prints it in its summary; nothing runs without
 * assertions); under CI the missing prerequisite fails the run (CI has root, so a quiet skip
 * there would hide that the tunnel went untested).
 */
export function describeWithNetns(name: string, body: () => void): void {
  const problem = netnsPrerequisiteProblem();
  if (problem === null) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('has what network namespace tests need', () => {
        throw new Error(`cannot run "${name}" although CI is set: ${problem}`);
      });
    });
  } else {
    console.warn(`not running "${name}": ${problem}`);
    describe(name, () => {
      it.todo(`runs where network namespaces can be made (here: ${problem})`);
    });
  }
}

/** A short random name part; interface names must fit in 15 characters. */
export function uniqueSuffix(): string {
  return randomBytes(3).toString('hex');
}

/** An interface name unique across namespaces (wireguard-go's sockets are shared by all). */
export function uniqueInterfaceName(role: string): string {
  const name = `${NETNS_PREFIX}${uniqueSuffix()}${role}`;
  if (name.length > 15) throw new Error(`interface name ${name} is longer than 15 characters: use a shorter role`);
  return name;
}

export interface NamespacePair {
  /** The agent's side. */
  a: string;
  /** The gateway's side. */
  b: string;
  vethA: string;
  vethB: string;
  /** Addresses of the veth ends, without prefix. */
  addressA: string;
  addressB: string;
  /** Runs a command inside a namespace (`ip netns exec`), argv only. */
  exec(namespace: string, file: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }>;
  /** Removes both namespaces with every process inside them; idempotent. */
  destroy(): Promise<void>;
}

const created = new Set<NamespacePair>();

/**
 * Two namespaces joined by a veth pair with TEST-NET-1 addresses (192.0.2.1 and .2),
 * which exist only inside them. Call destroy() (or destroyAllNamespaces()) in afterAll.
 */
export async function createNamespacePair(): Promise<NamespacePair> {
  const suffix = uniqueSuffix();
  const base = `${NETNS_PREFIX}-${process.pid}-${suffix}`;
  const pair: NamespacePair = {
    a: `${base}-a`,
    b: `${base}-b`,
    vethA: `${NETNS_PREFIX}${suffix}va`,
    vethB: `${NETNS_PREFIX}${suffix}vb`,
    addressA: '192.0.2.1',
    addressB: '192.0.2.2',
    exec: (namespace, file, args) => execIn(namespace, file, args),
    destroy: async () => {
      created.delete(pair);
      await destroyNamespaces([pair.a, pair.b]);
    },
  };
  created.add(pair);
  await run(path.join(SCRIPTS, 'create-pair'), [pair.a, pair.b, pair.vethA, pair.vethB, `${pair.addressA}/24`, `${pair.addressB}/24`]);
  return pair;
}

export async function destroyAllNamespaces(): Promise<void> {
  await Promise.all([...rootLinks].map((link) => link.destroy()));
  await Promise.all([...created].map((pair) => pair.destroy()));
}

/** A veth between the test process's own network namespace and one the test created. */
export interface RootLink {
  namespace: string;
  /** The root end's interface name. */
  rootInterface: string;
  /** The addresses of the two ends, without prefix (a /30 of TEST-NET-2, 198.51.100.0/24). */
  rootAddress: string;
  namespaceAddress: string;
  /** Removes the veth pair (both ends); idempotent. */
  destroy(): Promise<void>;
}

const rootLinks = new Set<RootLink>();
/** Marks the root ends, so a cleanup can tell whose they are: `ip link` alias `<OWNER_ALIAS><pid>`. */
const OWNER_ALIAS = `${NETNS_PREFIX}-owner-`;
const LINK_BLOCKS = 64; // /30 blocks in 198.51.100.0/24

/**
 * Joins `namespace` to the namespace the tests run in with a veth pair, so the test process
 * itself (an MCP client, say) can reach a server inside. Addresses come from a /30 of
 * TEST-NET-2 that no interface of the root namespace uses yet; a parallel test file that
 * raced for the same block makes one of them take another. The root end is removed
 * explicitly on destroy(): a deleted namespace may linger in the kernel, and its veth with it.
 */
export async function linkToRoot(namespace: string): Promise<RootLink> {
  const suffix = uniqueSuffix();
  const rootInterface = `${NETNS_PREFIX}${suffix}r`;
  const namespaceInterface = `${NETNS_PREFIX}${suffix}n`;
  await run('ip', ['link', 'add', 'name', rootInterface, 'type', 'veth', 'peer', 'name', namespaceInterface, 'netns', namespace]);
  const link: RootLink = {
    namespace,
    rootInterface,
    rootAddress: '',
    namespaceAddress: '',
    destroy: async () => {
      rootLinks.delete(link);
      await run('ip', ['link', 'delete', rootInterface]).catch(() => undefined);
    },
  };
  rootLinks.add(link);
  try {
    await run('ip', ['link', 'set', rootInterface, 'alias', `${OWNER_ALIAS}${process.pid}`]);
    const block = await claimAddressBlock(rootInterface);
    link.rootAddress = `198.51.100.${block * 4 + 1}`;
    link.namespaceAddress = `198.51.100.${block * 4 + 2}`;
    await run('ip', ['-n', namespace, 'address', 'add', `${link.namespaceAddress}/30`, 'dev', namespaceInterface]);
    await run('ip', ['-n', namespace, 'link', 'set', namespaceInterface, 'up']);
    await run('ip', ['link', 'set', rootInterface, 'up']);
  } catch (error) {
    await link.destroy();
    throw error;
  }
  return link;
}

async function claimAddressBlock(rootInterface: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const used = await usedAddressBlocks();
    const free = [...Array(LINK_BLOCKS).keys()].filter((block) => !used.has(block));
    if (free.length === 0) break;
    const block = free[Math.floor(Math.random() * free.length)]!;
    await run('ip', ['address', 'add', `198.51.100.${block * 4 + 1}/30`, 'dev', rootInterface]);
    // Another test file may have picked the same block at the same moment: then both retry.
    const holders = await interfacesInBlock(block);
    if (holders.length === 1) return block;
    await run('ip', ['address', 'flush', 'dev', rootInterface]);
  }
  throw new Error('no free /30 left in 198.51.100.0/24 for a link to the root namespace');
}

async function rootAddresses(): Promise<Array<{ interfaceName: string; address: string }>> {
  const { stdout } = await run('ip', ['-4', '-o', 'address', 'show']);
  return stdout
    .split('\n')
    .map((line) => /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ interfaceName: match[1]!.split('@')[0]!, address: match[2]! }));
}

async function usedAddressBlocks(): Promise<Set<number>> {
  const blocks = (await rootAddresses()).map(({ address }) => blockOf(address)).filter((block): block is number => block !== null);
  return new Set(blocks);
}

async function interfacesInBlock(block: number): Promise<string[]> {
  return [...new Set((await rootAddresses()).filter(({ address }) => blockOf(address) === block).map(({ interfaceName }) => interfaceName))];
}

function blockOf(address: string): number | null {
  const match = /^198\.51\.100\.(\d+)$/.exec(address);
  return match ? Math.floor(Number(match[1]) / 4) : null;
}

/** Root ends of links made by test processes that are gone. */
async function removeStaleRootLinks(): Promise<void> {
  const { stdout } = await run('ip', ['-o', 'link', 'show']);
  for (const line of stdout.split('\n')) {
    const name = /^\d+:\s+([^:@\s]+)/.exec(line)?.[1];
    const owner = new RegExp(`alias ${OWNER_ALIAS}(\\d+)`).exec(line)?.[1];
    if (name === undefined || owner === undefined || !name.startsWith(NETNS_PREFIX) || processIsAlive(Number(owner))) continue;
    await run('ip', ['link', 'delete', name]).catch(() => undefined);
  }
}

export async function destroyNamespaces(namespaces: readonly string[]): Promise<void> {
  await run(path.join(SCRIPTS, 'destroy'), [...namespaces]);
}

/**
 * Removes what crashed earlier runs left: namespaces whose owning test process is gone, and
 * wireguard-go sockets of this prefix that nothing answers on any more.
 */
export async function removeLeftovers(): Promise<void> {
  const { stdout } = await run('ip', ['netns', 'list']);
  const stale = stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => {
      const owner = new RegExp(`^${NETNS_PREFIX}-(\\d+)-`).exec(name)?.[1];
      return owner !== undefined && !processIsAlive(Number(owner));
    });
  if (stale.length > 0) await destroyNamespaces(stale);
  await removeStaleRootLinks();
  await removeStaleSockets();
}

async function removeStaleSockets(): Promise<void> {
  if (!existsSync(UAPI_SOCKET_DIRECTORY)) return;
  for (const file of readdirSync(UAPI_SOCKET_DIRECTORY)) {
    if (!file.startsWith(NETNS_PREFIX) || !file.endsWith('.sock')) continue;
    const socketPath = path.join(UAPI_SOCKET_DIRECTORY, file);
    if (!(await uapiSocketIsLive(socketPath))) await rm(socketPath, { force: true });
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function execIn(namespace: string, file: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run('ip', ['netns', 'exec', namespace, file, ...args], { timeout: 30_000 });
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`ip netns exec ${namespace} ${file} ${args.join(' ')} failed: ${stderr || message}`);
  }
}
