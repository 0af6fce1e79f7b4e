import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { snapshotTree } from '../bench/proc-tree.js';
import { REPO_ROOT, netnsPrerequisiteProblem } from '../bench/tunnel-netns.js';
import { TunnelTestbed, destroyAllTestbedsNow } from '../bench/tunnel-testbed.js';
import { cmdline, markedProcesses, processesWithCommandLine } from './processes.js';
import type { TunnelReport, TunnelTeardown } from './report.js';
import { sampleProcess } from './sampler.js';
import { waitFor } from './wait.js';

/**
 * The soak's tunnel path, on the benchmark's TunnelTestbed (test/bench/tunnel-testbed.ts): the
 * reference gateway (wireguard-go) in namespace G, `mcp-workstation register` in namespace A,
 * the two joined by a veth pair that carries WireGuard. The soak program itself then runs
 * inside A (`ip netns exec A node main.js … --inside-testbed <handoff>`), so the daemon it
 * starts is that registered agent with its tunnel up: its local workers still reach it on
 * loopback, its tunnel workers reach the same daemon through the gateway's public URL (G's
 * veth address, then the gateway, WireGuard and the daemon's tunnel listener). Why the soak
 * and not only the daemon goes into A: a client outside A cannot reach A's loopback.
 *
 * Afterwards the testbed is torn down, also after a failure or a signal, and nothing may be
 * left: namespaces, processes (found by an environment marker, and wireguard-go by its
 * command line), wireguard-go sockets, the scratch directory with the keys.
 */

export type TunnelChoice = 'auto' | 'on' | 'off';

export type TunnelDecision = { kind: 'tunnel' } | { kind: 'local'; note: string } | { kind: 'refused'; error: string };

/**
 * --tunnel must run; the default runs it where the machine can and otherwise says why and runs
 * local only, except under CI (as describeWithNetns in test/support/netns.ts: CI has root, so
 * a quiet skip there would hide that the tunnel went unsoaked); --no-tunnel runs local only.
 */
export function decideTunnel(choice: TunnelChoice, problem: string | null, ci: boolean): TunnelDecision {
  if (choice === 'off') return { kind: 'local', note: 'not asked for (--no-tunnel)' };
  if (problem === null) return { kind: 'tunnel' };
  if (choice === 'on') return { kind: 'refused', error: `--tunnel cannot run here: ${problem}` };
  if (ci) return { kind: 'refused', error: `the tunnel path cannot run here although CI is set (run with --no-tunnel for local only): ${problem}` };
  return { kind: 'local', note: `cannot run here: ${problem}` };
}

const GATEWAY_DIST = path.join(REPO_ROOT, 'packages', 'gateway', 'dist', 'cli.js');

/** Why the tunnel path cannot run on this machine, with the fix; null when it can. */
export function tunnelProblem(): string | null {
  return netnsPrerequisiteProblem() ?? (existsSync(GATEWAY_DIST) ? null : `the gateway is not built (${GATEWAY_DIST} is missing): run npm run build`);
}

/** What the run inside A needs to know, written by the run outside (0600; paths, never a secret itself). */
export interface TunnelHandoff {
  agentNamespace: string;
  gatewayNamespace: string;
  agentId: string;
  agentStateDir: string;
  wgInterface: string;
  gatewayWgInterface: string;
  /** The gateway's public endpoint per server, as a client inside A reaches it. */
  publicUrls: Record<string, string>;
  apiKeyFile: string;
  gatewayPid: number;
  gatewayLog: string;
  /** <results dir>/soak-<time>: the run inside writes its files there, the run outside adds the teardown. */
  resultsBase: string;
}

/** The tunnel path as the soak inside A uses it. */
export class TunnelSide {
  private constructor(
    readonly handoff: TunnelHandoff,
    /** Sent as a header only; never logged, never on a command line. */
    private readonly apiKey: string,
  ) {}

  static open(handoffFile: string): TunnelSide {
    const handoff = JSON.parse(readFileSync(handoffFile, 'utf8')) as TunnelHandoff;
    return new TunnelSide(handoff, readFileSync(handoff.apiKeyFile, 'utf8').trim());
  }

  /** The flags that make the soak's daemon this testbed's agent (wireguard-go, so its process can be sampled). */
  daemonArgs(): string[] {
    const { agentStateDir, wgInterface } = this.handoff;
    return ['--state-dir', agentStateDir, '--tunnel', 'true', '--wg-interface', wgInterface, '--wg-backend', 'wireguard-go', '--allow-http'];
  }

  url(server: string): string {
    const url = this.handoff.publicUrls[server];
    if (url === undefined) throw new Error(`no public URL for server ${server}`);
    return url;
  }

  headers(): Record<string, string> {
    return { authorization: `Bearer ${this.apiKey}` };
  }

  /** The agent's wireguard-go (a child of the daemon) and the gateway process, each alone. */
  sample(daemonPid: number): Record<string, number | null> {
    const line = `wireguard-go -f ${this.handoff.wgInterface}`;
    const wireguardGo = snapshotTree(daemonPid).processes.find((p) => p.state !== 'Z' && cmdline(p.pid) === line);
    const agentWg = sampleProcess(wireguardGo?.pid);
    const gateway = sampleProcess(this.handoff.gatewayPid);
    return { agentWgRss: agentWg.rss, agentWgFds: agentWg.fds, gatewayRss: gateway.rss, gatewayFds: gateway.fds };
  }

  /** The agent's wireguard-go processes still running (after the daemon stopped: none). */
  wireguardGoLeft(): number[] {
    return processesWithCommandLine(`wireguard-go -f ${this.handoff.wgInterface}`);
  }

  report(): TunnelReport {
    const { agentId, agentNamespace, gatewayNamespace, wgInterface, gatewayWgInterface, publicUrls, gatewayLog } = this.handoff;
    return {
      ran: true,
      note: null,
      agentId,
      namespaces: [agentNamespace, gatewayNamespace],
      wgInterfaces: [wgInterface, gatewayWgInterface],
      publicUrls,
      gatewayLog,
    };
  }
}

const TESTBED_MARKER = 'MCP_WORKSTATION_SOAK_TESTBED';
const SERVERS = ['shared', 'solo'];

/** How the run inside ended: its exit code, or the signal that ended it; null when it never started. */
export type InsideExit = { code: number | null; signal: NodeJS.Signals | null } | null;

/**
 * Outside A: the testbed, then the soak (`mainScript` with `soakArgs`) inside A, then the
 * teardown, checked. Resolves with the results' base path (soak-<time>, its .json absent when
 * the soak never got that far), how the run inside ended and what went wrong around it.
 */
export async function runInsideTestbed(
  mainScript: string,
  soakArgs: string[],
  out: string,
  say: (text: string) => void,
): Promise<{ resultsBase: string; exit: InsideExit; problems: string[]; teardown: TunnelTeardown | null }> {
  const resultsBase = path.join(out, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  // Every process started from here on inherits it: the gateway, the soak inside, its daemon and the servers.
  const marker = randomUUID();
  process.env[TESTBED_MARKER] = marker;
  const abort = (signal: NodeJS.Signals) => {
    say(`${signal}: tearing the tunnel testbed down`);
    destroyAllTestbedsNow();
    process.exit(130);
  };
  process.once('SIGINT', abort).once('SIGTERM', abort).once('exit', destroyAllTestbedsNow);
  const problems: string[] = [];
  let exit: InsideExit = null;
  let testbed: TunnelTestbed | undefined;
  try {
    testbed = await TunnelTestbed.create(out, 0, (name) => `${path.basename(resultsBase)}-${name}.log`);
    await testbed.startGateway();
    await testbed.registerAgent('soak-agent');
    say(`tunnel testbed: the gateway in ${testbed.net.gateway}, agent ${testbed.agentId} registered; the soak and its daemon go into ${testbed.net.agent}`);
    const handoffFile = writeHandoff(testbed, resultsBase);
    exit = await runInNamespace(testbed.net.agent, [mainScript, ...soakArgs, '--out', out, '--inside-testbed', handoffFile]);
  } catch (err) {
    problems.push(`the tunnel testbed could not be set up: ${(err as Error).message}`);
  }
  const teardown = testbed ? await tearDown(testbed, marker) : null;
  process.off('SIGINT', abort).off('SIGTERM', abort).off('exit', destroyAllTestbedsNow);
  return { resultsBase, exit, problems, teardown };
}

function writeHandoff(testbed: TunnelTestbed, resultsBase: string): string {
  const handoff: TunnelHandoff = {
    agentNamespace: testbed.net.agent,
    gatewayNamespace: testbed.net.gateway,
    agentId: testbed.agentId,
    agentStateDir: testbed.agentStateDir,
    wgInterface: testbed.agentInterface,
    gatewayWgInterface: testbed.gatewayInterface,
    publicUrls: Object.fromEntries(SERVERS.map((server) => [server, testbed.publicUrlFromAgent(server)])),
    apiKeyFile: testbed.apiKeyFile,
    gatewayPid: testbed.gateway?.pid as number,
    gatewayLog: testbed.logFile('gateway'),
    resultsBase,
  };
  const file = path.join(testbed.dir, 'soak-handoff.json');
  writeFileSync(file, `${JSON.stringify(handoff, null, 2)}\n`, { mode: 0o600 });
  return file;
}

/** `ip netns exec <namespace> node <args…>` with our stdio; resolves with how it ended. */
function runInNamespace(namespace: string, args: string[]): Promise<InsideExit> {
  const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, ...args], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** The testbed's destroy(), then a check that nothing of it is left; whatever is, is named (and processes killed). */
async function tearDown(testbed: TunnelTestbed, marker: string): Promise<TunnelTeardown> {
  const namespaces = [testbed.net.agent, testbed.net.gateway];
  const wgInterfaces = [testbed.agentInterface, testbed.gatewayInterface];
  const problems: string[] = [];
  await testbed.destroy(10_000).catch((err: Error) => problems.push(err.message));
  const leftovers = () => leftoversOf(namespaces, wgInterfaces, marker, testbed.dir);
  const left = await waitFor(() => (leftovers().length === 0 ? [] : undefined), 15_000, 'the tunnel testbed to be gone', 250).catch(leftovers);
  for (const pid of [...markedProcesses(TESTBED_MARKER, marker), ...wgInterfaces.flatMap((name) => processesWithCommandLine(`wireguard-go -f ${name}`))]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  return { namespaces, wgInterfaces, problems, leftovers: left };
}

function leftoversOf(namespaces: string[], wgInterfaces: string[], marker: string, scratch: string): string[] {
  const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  const left = namespaces.filter((name) => listed.split('\n').some((line) => line.split(' ')[0] === name)).map((name) => `namespace ${name}`);
  for (const pid of markedProcesses(TESTBED_MARKER, marker)) left.push(`process ${pid} ${cmdline(pid).slice(0, 120)}`);
  for (const name of wgInterfaces) {
    for (const pid of processesWithCommandLine(`wireguard-go -f ${name}`)) left.push(`process ${pid} wireguard-go -f ${name}`);
    if (existsSync(`/var/run/wireguard/${name}.sock`)) left.push(`socket /var/run/wireguard/${name}.sock`);
  }
  if (existsSync(scratch)) left.push(`scratch directory ${scratch} (keys, token)`);
  return left;
}
