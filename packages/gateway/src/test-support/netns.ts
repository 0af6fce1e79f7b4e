import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

/**
 * Why a real-WireGuard test cannot run here, or null when it can: root, /dev/net/tun, and
 * wireguard-go, wg and ip on PATH.
 */
export function wireguardPrerequisiteProblem(): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'not running as root (network namespaces and TUN devices need it)';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing';
  for (const program of ['wireguard-go', 'wg', 'ip']) {
    if (spawnSync('sh', ['-c', `command -v ${program}`]).status !== 0) return `${program} is not installed`;
  }
  return null;
}

/** Short random suffix: interface names (15 bytes at most) and namespaces unique to this test run. */
export function uniqueSuffix(): string {
  return randomBytes(3).toString('hex');
}

export function sh(argv: string[]): string {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`\`${argv.join(' ')}\` failed: ${result.stderr || result.error?.message}`);
  return result.stdout;
}

/** Two namespaces joined by a veth pair, `<prefix>.1/24` on the first, `<prefix>.2/24` on the second. */
export function createNamespacePair(suffix: string, prefix: string): { first: string; second: string } {
  const first = `mwgw-${suffix}-a`;
  const second = `mwgw-${suffix}-b`;
  sh(['ip', 'netns', 'add', first]);
  sh(['ip', 'netns', 'add', second]);
  sh(['ip', 'link', 'add', `mwv${suffix}a`, 'netns', first, 'type', 'veth', 'peer', 'name', `mwv${suffix}b`, 'netns', second]);
  for (const [ns, side, host] of [[first, 'a', 1], [second, 'b', 2]] as const) {
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    sh(['ip', '-n', ns, 'address', 'add', `${prefix}.${host}/24`, 'dev', `mwv${suffix}${side}`]);
    sh(['ip', '-n', ns, 'link', 'set', `mwv${suffix}${side}`, 'up']);
  }
  return { first, second };
}

/** Removes namespaces (and with them every interface inside); never fails. */
export function deleteNamespaces(...names: (string | undefined)[]): void {
  for (const name of names) if (name) spawnSync('ip', ['netns', 'delete', name]);
}

/** A process inside a namespace (`ip netns exec` execs it, so its pid is the program's). */
export function spawnInNamespace(ns: string, argv: string[], input?: string): ChildProcess & { output: () => string } {
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  child.stdin!.end(input ?? '');
  return Object.assign(child, { output: () => output });
}

export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * One HTTP request made from inside a namespace by a short node script: the request comes in
 * on stdin as JSON (so no credential is ever in an argv), the answer goes out on stdout.
 */
export async function requestInNamespace(
  ns: string,
  request: { url: string; method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const script = `
    let input = '';
    process.stdin.on('data', (c) => (input += c)).on('end', async () => {
      const r = JSON.parse(input);
      const res = await fetch(r.url, { method: r.method ?? 'GET', headers: r.headers, body: r.body });
      process.stdout.write(JSON.stringify({ status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() }));
    });`;
  const child = spawnInNamespace(ns, [process.execPath, '-e', script], JSON.stringify(request));
  const code = await new Promise((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`the request in ${ns} failed: ${child.output()}`);
  return JSON.parse(child.output());
}
