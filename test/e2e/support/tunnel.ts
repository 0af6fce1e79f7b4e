import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  createNamespacePair,
  destroyAllNamespaces,
  linkToRoot,
  removeLeftovers,
  uniqueInterfaceName,
  type NamespacePair,
  type RootLink,
} from '../../support/netns';
import { closeAllClients, connectClient, resultText, type ConnectedClient } from './clients';
import { Daemon } from './daemon';
import { CLI_BIN, CLI_NODE_FLAGS, FIXTURES, REPO_ROOT, assertBuilt, everythingServerArgv } from './paths';
import { commandLine } from './processes';
import { waitFor } from './wait';

/**
 * The whole tunnel for real, for test/e2e/tunnel-*.test.ts: a gateway (the built
 * `mcp-workstation-gateway`) in namespace G, the agent (the built `mcp-workstation`) in
 * namespace A, joined by a veth pair that carries WireGuard (192.0.2.0/24), plus a veth from
 * the test process's own namespace to G (a /30 of 198.51.100.0/24) so the SDK clients in the
 * jest process reach the gateway's public endpoint. Tunnel addresses come from TEST-NET-3
 * (203.0.113.0/24). Nothing here exists outside the namespaces and that one link;
 * destroy() removes it all, also after a failure.
 */

const run = promisify(execFile);

export const GATEWAY_BIN = path.join(REPO_ROOT, 'packages', 'gateway', 'bin', 'mcp-workstation-gateway.js');
const ECHO_PROBE = path.resolve(__dirname, '../../support/mcp-echo-probe.js');
const TCP_PROBE = path.resolve(__dirname, '../../support/tcp-probe.js');
export const LARGE_RESULT_SERVER = path.join(FIXTURES, 'large-result-server.js');

const GATEWAY_PORT = 8080;
const WIREGUARD_PORT = 51820;
export const ADDRESS_POOL = '203.0.113.0/24';
/** The agent's local (loopback) listener inside A; its tunnel listener is the gateway's agent port, 8000. */
export const AGENT_LOCAL_PORT = 9000;
const MARKER_VARIABLE = 'MCP_WORKSTATION_E2E_MARKER';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One row of `mcp-workstation-gateway agents list --json`. */
export interface AgentRow {
  id: string;
  name: string | null;
  address: string;
  publicKey: string;
  connected: boolean;
  lastHandshakeAt: string | null;
  servers: Array<{ name: string; state: string }>;
}

export interface Registration {
  agentId: string;
  stateDir: string;
  tokenFile: string;
  result: CliResult;
}

export interface AgentOptions {
  stateDir: string;
  /** Default: a fresh unique name (wireguard-go's sockets are shared by every namespace). */
  interfaceName?: string;
  /** The stdio server's argv; default server-everything. */
  serverArgv?: string[];
  extraArgs?: string[];
}

/** The WireGuard interface each agent daemon was started with. */
const agentInterfaces = new WeakMap<Daemon, string>();

export class TunnelTestbed {
  gateway: Daemon | null = null;
  private readonly agents = new Set<Daemon>();
  readonly apiKey = randomBytes(24).toString('base64url');
  readonly gatewayInterface = uniqueInterfaceName('gw');

  private constructor(
    readonly net: NamespacePair,
    readonly link: RootLink,
    /** A private (0700) scratch directory for state directories, tokens and keys. */
    readonly dir: string,
  ) {}

  /** Namespaces, links and a scratch directory; then startGateway(). */
  static async create(): Promise<TunnelTestbed> {
    assertBuilt();
    await removeLeftovers();
    const dir = await mkdtemp(path.join(tmpdir(), 'mcpw-tunnel-'));
    await chmod(dir, 0o700);
    let net: NamespacePair | undefined;
    try {
      net = await createNamespacePair();
      const link = await linkToRoot(net.b);
      const testbed = new TunnelTestbed(net, link, dir);
      await writeFile(testbed.apiKeyFile, `${testbed.apiKey}\n`, { mode: 0o600 });
      return testbed;
    } catch (error) {
      await destroyAllNamespaces();
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  get agentNamespace(): string {
    return this.net.a;
  }

  get gatewayNamespace(): string {
    return this.net.b;
  }

  /** The gateway's address on the WireGuard underlay: what the agent registers with. */
  get gatewayUnderlayUrl(): string {
    return `http://${this.net.addressB}:${GATEWAY_PORT}`;
  }

  get gatewayStateDir(): string {
    return path.join(this.dir, 'gateway');
  }

  get apiKeyFile(): string {
    return path.join(this.dir, 'api-keys');
  }

  /** The public endpoint as MCP clients (the jest process) reach it. */
  publicUrl(agentId: string, server = 'default'): string {
    return `http://${this.link.namespaceAddress}:${GATEWAY_PORT}/agents/${agentId}/servers/${server}/mcp`;
  }

  async startGateway(): Promise<Daemon> {
    const gateway = spawnInNamespace(this.gatewayNamespace, [
      GATEWAY_BIN, 'serve',
      '--state-dir', this.gatewayStateDir,
      '--listen', `0.0.0.0:${GATEWAY_PORT}`,
      '--api-key-file', this.apiKeyFile,
      '--wg-interface', this.gatewayInterface,
      '--wg-listen-port', String(WIREGUARD_PORT),
      '--wg-endpoint', `${this.net.addressB}:${WIREGUARD_PORT}`,
      '--address-pool', ADDRESS_POOL,
      // Short, so a request that finds the tunnel down fails fast and the test's retry comes sooner.
      '--connect-timeout', '3s',
    ]);
    this.gateway = gateway;
    await gateway.waitForOutput(/gateway listening on /, 20_000);
    return gateway;
  }

  async stopGateway(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const gateway = this.gateway;
    this.gateway = null;
    await gateway?.stop(signal);
  }

  requireGateway(): Daemon {
    if (!this.gateway) throw new Error('the gateway is not running');
    return this.gateway;
  }

  /** `mcp-workstation-gateway <args> --state-dir …`, from the test's namespace (the admin socket is a file). */
  async gatewayCli(args: string[]): Promise<CliResult> {
    return runToCompletion(process.execPath, [GATEWAY_BIN, ...args, '--state-dir', this.gatewayStateDir]);
  }

  /** A single-use registration token in a 0600 file. */
  async createToken(): Promise<string> {
    const result = await this.gatewayCli(['token', 'create', '--ttl', '30m']);
    if (result.code !== 0) throw new Error(`token create failed: ${result.stderr}`);
    const file = path.join(this.dir, `token-${randomUUID()}`);
    await writeFile(file, result.stdout, { mode: 0o600 });
    return file;
  }

  /** `mcp-workstation register` in the agent's namespace, against the gateway's underlay URL. */
  async register(tokenFile: string, stateDir: string, extraArgs: string[] = []): Promise<CliResult> {
    return runToCompletion('ip', [
      'netns', 'exec', this.agentNamespace, process.execPath, CLI_BIN, 'register',
      '--gateway', this.gatewayUnderlayUrl,
      '--token-file', tokenFile,
      '--state-dir', stateDir,
      '--allow-http',
      '--name', 'e2e-agent',
      ...extraArgs,
    ]);
  }

  /** A fresh token and a successful registration into a new state directory. */
  async registerAgent(): Promise<Registration> {
    const tokenFile = await this.createToken();
    const stateDir = path.join(this.dir, `agent-${randomUUID()}`);
    const result = await this.register(tokenFile, stateDir);
    const agentId = /agentId:\s+(agt_\w+)/.exec(result.stdout)?.[1];
    if (result.code !== 0 || agentId === undefined) {
      throw new Error(`register failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
    return { agentId, stateDir, tokenFile, result };
  }

  /** `mcp-workstation up` in the agent's namespace; resolves once it printed its local endpoint. */
  async startAgent(options: AgentOptions): Promise<Daemon> {
    const interfaceName = options.interfaceName ?? uniqueInterfaceName('ag');
    const serverArgv = options.serverArgv ?? everythingServerArgv();
    const agent = spawnInNamespace(this.agentNamespace, [
      CLI_BIN, 'up',
      '--state-dir', options.stateDir,
      '--wg-interface', interfaceName,
      '--wg-backend', 'wireguard-go',
      '--allow-http',
      '--port', String(AGENT_LOCAL_PORT),
      ...(options.extraArgs ?? []),
      '--', ...serverArgv,
    ]);
    this.agents.add(agent);
    await agent.waitForOutput(/MCP endpoint: /, 20_000);
    agentInterfaces.set(agent, interfaceName);
    return agent;
  }

  async stopAgent(agent: Daemon): Promise<void> {
    this.agents.delete(agent);
    await agent.stop('SIGTERM');
  }

  interfaceOf(agent: Daemon): string {
    const name = agentInterfaces.get(agent);
    if (name === undefined) throw new Error('not an agent of this testbed');
    return name;
  }

  async agentsList(): Promise<AgentRow[]> {
    const result = await this.gatewayCli(['agents', 'list', '--json']);
    if (result.code !== 0) throw new Error(`agents list failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as AgentRow[];
  }

  async agentRow(agentId: string): Promise<AgentRow | undefined> {
    return (await this.agentsList()).find((row) => row.id === agentId);
  }

  /** An SDK client on the gateway's public endpoint, with the gateway API key. */
  connect(agentId: string, server = 'default'): Promise<ConnectedClient> {
    return connectClient('streamableHttp', this.publicUrl(agentId, server), { headers: { authorization: `Bearer ${this.apiKey}` } });
  }

  /** A fresh client calls echo through the gateway; retried until it works (after a disruption). */
  async waitForEcho(agentId: string, what: string, timeoutMs = 60_000): Promise<string> {
    const message = `${what} ${randomUUID()}`;
    return waitFor(
      async () => {
        const client = await this.connect(agentId);
        try {
          const text = resultText(await client.client.callTool({ name: 'echo', arguments: { message } }, undefined, { timeout: 10_000 }));
          return text === `Echo: ${message}` ? text : undefined;
        } finally {
          await client.close();
        }
      },
      { what: `an echo through the gateway (${what})`, timeoutMs, intervalMs: 500 },
    );
  }

  /** echo through the agent's own loopback listener, from inside its namespace. */
  async localEcho(message: string): Promise<{ ok: boolean; text?: string; error?: string }> {
    const probe = { url: `http://127.0.0.1:${AGENT_LOCAL_PORT}/mcp`, message };
    const { stdout } = await this.net.exec(this.agentNamespace, process.execPath, [ECHO_PROBE, JSON.stringify(probe)]);
    return JSON.parse(stdout) as { ok: boolean; text?: string; error?: string };
  }

  /** One TCP exchange from inside a namespace (test/support/tcp-probe.js). */
  async tcpProbe(namespace: string, target: { host: string; port: number; localAddress?: string; message?: string; timeoutMs?: number }) {
    const { stdout } = await this.net.exec(namespace, process.execPath, [TCP_PROBE, JSON.stringify(target)]);
    return JSON.parse(stdout) as { outcome: 'reply' | 'closed' | 'error' | 'timeout'; reply?: string; code?: string };
  }

  async interfaceExists(namespace: string, name: string): Promise<boolean> {
    return run('ip', ['-n', namespace, 'link', 'show', 'dev', name]).then(
      () => true,
      () => false,
    );
  }

  /** Pids of `wireguard-go -f <interfaceName>` (in any namespace: the name is unique). */
  wireguardGoPids(interfaceName: string): number[] {
    return pidsInNamespace(this.agentNamespace).filter((pid) => commandLine(pid) === `wireguard-go -f ${interfaceName}`);
  }

  async readStateFile(stateDir: string, file: string): Promise<Record<string, unknown>> {
    return JSON.parse(await readFile(path.join(stateDir, file), 'utf8')) as Record<string, unknown>;
  }

  /** Stops every process, then removes the namespaces, the link and the scratch directory. */
  async destroy(): Promise<void> {
    const problems: string[] = [];
    await closeAllClients().catch((error: Error) => problems.push(error.message));
    // A test that failed while it held a process (SIGSTOP) must not make it unstoppable.
    for (const held of [...this.agents, ...(this.gateway ? [this.gateway] : [])]) resume(held);
    for (const agent of [...this.agents]) {
      this.agents.delete(agent);
      await agent.stop('SIGTERM').catch((error: Error) => problems.push(error.message));
    }
    await this.stopGateway().catch((error: Error) => problems.push(error.message));
    await destroyAllNamespaces().catch((error: Error) => problems.push(error.message));
    await rm(this.dir, { recursive: true, force: true });
    if (problems.length > 0) throw new Error(`cleaning up the tunnel testbed:\n${problems.join('\n')}`);
  }
}

/**
 * The gateway on loopback with no WireGuard (`--wg-backend none`, development mode): enough for
 * registration and the control channel, with no privileges. Stop it with its stop().
 */
export async function startLoopbackGateway(stateDir: string): Promise<{ gateway: Daemon; url: string }> {
  assertBuilt();
  const marker = randomUUID();
  const child = spawn(process.execPath, [GATEWAY_BIN, 'serve', '--state-dir', stateDir, '--listen', '127.0.0.1:0', '--wg-backend', 'none'], {
    cwd: REPO_ROOT,
    env: { ...process.env, [MARKER_VARIABLE]: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const gateway = new Daemon(child, `${MARKER_VARIABLE}=${marker}`);
  const [, url] = await gateway.waitForOutput(/gateway listening on (http:\/\/127\.0\.0\.1:\d+)/, 20_000);
  return { gateway, url: url! };
}

/** `mcp-workstation-gateway token create` for a gateway state directory: the token itself. */
export async function createTokenFor(stateDir: string): Promise<string> {
  const result = await runToCompletion(process.execPath, [GATEWAY_BIN, 'token', 'create', '--state-dir', stateDir]);
  if (result.code !== 0) throw new Error(`token create failed: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * The CLI run to completion with the file `stdinFile` on its stdin (as `… < file` in a shell:
 * a pipe from Node would be a socket, which is not how people hand over a token).
 */
export function runCliWithInput(args: string[], stdinFile: string | null, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const stdin = stdinFile === null ? 'ignore' : openSync(stdinFile, 'r');
    const child = spawn(process.execPath, [...CLI_NODE_FLAGS, CLI_BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: [stdin, 'pipe', 'pipe'],
    });
    if (typeof stdin === 'number') closeSync(stdin);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mcp-workstation ${args.join(' ')} did not finish in time\n${stdout}\n${stderr}`));
    }, 60_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Where a process's stderr ends now: waitForOutputAfter() then looks only at what comes later. */
export function outputMark(process: Daemon): number {
  return process.stderrText().length;
}

/** A line matching `pattern` that the process wrote after `mark` (an older line of the same kind does not count). */
export function waitForOutputAfter(process: Daemon, mark: number, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return waitFor(() => process.stderrText().slice(mark).match(pattern) ?? undefined, {
    what: `output matching ${pattern}\n${process.output()}`,
    timeoutMs,
  });
}

/** `ip netns exec <ns> node <args…>` as a Daemon (ip execs, so the pid is node's own). */
function spawnInNamespace(namespace: string, args: string[]): Daemon {
  const marker = randomUUID();
  const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, [MARKER_VARIABLE]: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Daemon(child, `${MARKER_VARIABLE}=${marker}`);
}

function resume(held: Daemon): void {
  try {
    if (held.running) process.kill(held.pid, 'SIGCONT');
  } catch {
    // already gone
  }
}

function pidsInNamespace(namespace: string): number[] {
  if (!existsSync(`/var/run/netns/${namespace}`)) return [];
  const result = spawnSync('ip', ['netns', 'pids', namespace], { encoding: 'utf8' });
  return result.stdout.split('\n').filter(Boolean).map(Number);
}

function runToCompletion(file: string, args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: REPO_ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : null) : 0;
      if (error && code === null) return reject(new Error(`${file} ${args.join(' ')}: ${error.message}\n${stderr}`));
      resolve({ code, stdout, stderr });
    });
  });
}
