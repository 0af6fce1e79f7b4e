import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, createNamespacePair, removeAllNamespacesNow, removeNamespaces, removeStaleNamespaces, removeWireGuardSockets, uniqueInterfaceName } from './tunnel-netns.js';
import type { NamespacePair } from './tunnel-netns.js';
import { NamespacedProcess, killAllNamespacedProcessesNow } from './tunnel-process.js';

/**
 * The tunnel as users run it, for the benchmark: the reference gateway (the built
 * `mcp-workstation-gateway serve`, wireguard-go) in namespace G, `mcp-workstation register`
 * then `up --tunnel true` (wireguard-go) serving the benchmark's stdio server in namespace A,
 * the two joined by a veth pair that carries WireGuard. The same steps as
 * test/e2e/support/tunnel.ts, which this cannot import (see tunnel-netns.ts). The soak
 * (test/soak/tunnel.ts) reuses it with an agent of its own: create, startGateway,
 * registerAgent, then `up` from agentStateDir, and publicUrlFromAgent for its clients in A.
 * Tunnel addresses come from 198.18.0.0/24 (RFC 2544's benchmarking block): nothing here exists
 * outside the two namespaces, and destroy() removes it all, also after a failure.
 */

export const GATEWAY_BIN = join(REPO_ROOT, 'packages', 'gateway', 'bin', 'mcp-workstation-gateway.js');
const GATEWAY_DIST = join(REPO_ROOT, 'packages', 'gateway', 'dist', 'cli.js');
const CLI_BIN = join(REPO_ROOT, 'packages', 'daemon', 'bin', 'mcp-workstation.js');
const CLI_DIST = join(REPO_ROOT, 'packages', 'daemon', 'dist', 'cli.js');

/**
 * The benchmark's own pieces (its test server, the daemon's shipped node flags), loaded by the
 * methods that need them rather than with this module: contenders.ts reads the CLI's shebang
 * as it loads, from a root it finds by counting levels up from test/bench/dist/, which is
 * wrong where the soak compiles this file (test/soak/dist/bench/); the soak needs none of them.
 */
function benchPieces(): Pick<typeof import('./contenders.js'), 'BENCH_SERVER' | 'MCP_WORKSTATION_NODE_FLAGS'> {
  return require('./contenders.js') as typeof import('./contenders.js');
}

const GATEWAY_PORT = 8080;
const WIREGUARD_PORT = 51820;
const ADDRESS_POOL = '198.18.0.0/24';
/** The agent's tunnel listener: the gateway's default agent port. */
export const AGENT_TUNNEL_PORT = 8000;
/** The byte relay inside G: the same number as the agent's tunnel port (see relayUrl). */
export const RELAY_PORT = AGENT_TUNNEL_PORT;
/** The native test server inside A, on the agent's tunnel address. */
const NATIVE_SERVER_PORT = 8103;
/** The agent's loopback listener inside A (its admin listener keeps its default, 8001). */
export const AGENT_LOCAL_PORT = 9000;

/** What the tunnel benchmark needs built, or null. */
export function missingBuild(): string | null {
  const missing = [GATEWAY_DIST, CLI_DIST, benchPieces().BENCH_SERVER].filter((file) => !existsSync(file));
  return missing.length ? `not built: ${missing.join(', ')} (run \`npm run build && npx tsc -p test/bench\`, or \`npm run bench\`, which builds first)` : null;
}

const testbeds = new Set<TunnelTestbed>();

export class TunnelTestbed {
  gateway?: NamespacedProcess;
  agent?: NamespacedProcess;
  /** The test server speaking Streamable HTTP itself on the agent's tunnel address: the floor, no bridge. */
  native?: NamespacedProcess;
  agentId = '';
  /** Tunnel addresses, without prefix. */
  agentTunnelAddress = '';
  gatewayTunnelAddress = '';
  /** The gateway API key; it goes to the probes over IPC, never on a command line. */
  readonly apiKey = randomBytes(24).toString('base64url');
  readonly gatewayInterface = uniqueInterfaceName('gw');
  readonly agentInterface = uniqueInterfaceName('ag');

  private constructor(
    readonly net: NamespacePair,
    /** A private (0700) scratch directory: state directories, the API key file, the token. */
    readonly dir: string,
    /** Where the processes' logs go. */
    readonly logDir: string,
    readonly round: number,
    /** A process's log file name in logDir (the soak names them after its run). */
    private readonly logName: (name: string) => string = (name) => `tunnel-${name}-round${round}.log`,
  ) {}

  static async create(logDir: string, round: number, logName?: (name: string) => string): Promise<TunnelTestbed> {
    await removeStaleNamespaces();
    const dir = mkdtempSync(join(tmpdir(), 'mcpw-bench-tunnel-')); // mkdtemp makes it 0700
    let net: NamespacePair;
    try {
      net = await createNamespacePair();
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const testbed = new TunnelTestbed(net, dir, logDir, round, logName);
    testbeds.add(testbed);
    await writeFile(testbed.apiKeyFile, `${testbed.apiKey}\n`, { mode: 0o600 });
    return testbed;
  }

  /** The gateway API key's file (0600): for a client that runs in a process of its own. */
  get apiKeyFile(): string {
    return join(this.dir, 'api-keys');
  }

  private get gatewayStateDir(): string {
    return join(this.dir, 'gateway');
  }

  /** The agent's registration, once registerAgent() made it: for an agent started by someone else than startAgent(). */
  get agentStateDir(): string {
    return join(this.dir, 'agent');
  }

  logFile(name: string): string {
    return join(this.logDir, this.logName(name));
  }

  /** The public endpoint as a client inside G reaches it (loopback, like the agent's own baseline). */
  get publicUrl(): string {
    return `http://127.0.0.1:${GATEWAY_PORT}/agents/${this.agentId}/servers/default/mcp`;
  }

  /** The public endpoint of `server` as a client inside A reaches it: the gateway's veth address, the same hop as WireGuard's. */
  publicUrlFromAgent(server = 'default'): string {
    return `http://${this.net.gatewayAddress}:${GATEWAY_PORT}/agents/${this.agentId}/servers/${server}/mcp`;
  }

  /** The agent's loopback listener, from inside A. */
  get loopbackUrl(): string {
    return `http://127.0.0.1:${AGENT_LOCAL_PORT}/servers/default/mcp`;
  }

  /**
   * The agent's tunnel listener, from inside G without the gateway's proxy: the listener admits
   * the gateway's tunnel address, which is the source of any connection G makes into the tunnel.
   */
  get directUrl(): string {
    return `http://${this.agentTunnelAddress}:${AGENT_TUNNEL_PORT}/servers/default/mcp`;
  }

  /**
   * A byte relay's listener inside G (RELAY_PORT on loopback, relaying to the agent's tunnel
   * listener), so a call takes the gateway's path with a process that only copies bytes in its
   * place. The port is the tunnel listener's own: the agent's Host check admits loopback names
   * on the port a request arrived on, and the relay passes the Host header through unchanged.
   */
  get relayUrl(): string {
    return `http://127.0.0.1:${RELAY_PORT}/servers/default/mcp`;
  }

  async startGateway(): Promise<void> {
    this.gateway = NamespacedProcess.start('the gateway', this.net.gateway, [
      GATEWAY_BIN, 'serve',
      '--state-dir', this.gatewayStateDir,
      '--listen', `0.0.0.0:${GATEWAY_PORT}`,
      '--api-key-file', this.apiKeyFile,
      '--wg-interface', this.gatewayInterface,
      '--wg-listen-port', String(WIREGUARD_PORT),
      '--wg-endpoint', `${this.net.gatewayAddress}:${WIREGUARD_PORT}`,
      '--address-pool', ADDRESS_POOL,
    ], this.logFile('gateway'));
    await this.gateway.waitForLog(/gateway listening on /, 20_000);
  }

  /** A single-use token (`token create`, from here: it only writes the state directory), then `register` inside A. */
  async registerAgent(name = 'bench-agent'): Promise<void> {
    const token = await runToCompletion('mcp-workstation-gateway token create', process.execPath, [GATEWAY_BIN, 'token', 'create', '--ttl', '30m', '--state-dir', this.gatewayStateDir]);
    const tokenFile = join(this.dir, 'token');
    await writeFile(tokenFile, token, { mode: 0o600 });
    const registered = await runToCompletion('mcp-workstation register', 'ip', [
      'netns', 'exec', this.net.agent, process.execPath, CLI_BIN, 'register',
      '--gateway', `http://${this.net.gatewayAddress}:${GATEWAY_PORT}`,
      '--token-file', tokenFile,
      '--state-dir', this.agentStateDir,
      '--allow-http',
      '--name', name,
    ]);
    const agentId = /agentId:\s+(agt_\w+)/.exec(registered)?.[1];
    if (!agentId) throw new Error(`mcp-workstation register printed no agentId:\n${registered}`);
    this.agentId = agentId;
    const state = JSON.parse(await readFile(join(this.agentStateDir, 'tunnel.json'), 'utf8')) as { tunnel: { address: string; peer: { allowedIps: string[] } } };
    this.agentTunnelAddress = state.tunnel.address.split('/')[0]!;
    this.gatewayTunnelAddress = state.tunnel.peer.allowedIps[0]!.split('/')[0]!;
  }

  /** `mcp-workstation up` inside A serving the benchmark's stdio server; resolves once it says the tunnel is ready. */
  async startAgent(): Promise<NamespacedProcess> {
    const { BENCH_SERVER, MCP_WORKSTATION_NODE_FLAGS } = benchPieces();
    const agent = NamespacedProcess.start('mcp-workstation up', this.net.agent, [
      ...MCP_WORKSTATION_NODE_FLAGS, // as shipped (its bin's shebang)
      CLI_BIN, 'up',
      '--state-dir', this.agentStateDir,
      '--tunnel', 'true',
      '--wg-interface', this.agentInterface,
      '--wg-backend', 'wireguard-go',
      '--allow-http',
      '--port', String(AGENT_LOCAL_PORT),
      '--', process.execPath, BENCH_SERVER, 'stdio',
    ], this.logFile('agent'));
    this.agent = agent;
    await agent.waitForLog(/tunnel ready/, 30_000);
    return agent;
  }

  /**
   * The test server in its own native HTTP mode (no bridge, no agent in front) inside A on the
   * agent's tunnel address: the same 5 MB result through the same WireGuard pair with nothing
   * of ours on the way, the floor any bridge is compared with.
   */
  async startNativeServer(): Promise<void> {
    const { BENCH_SERVER } = benchPieces();
    this.native = NamespacedProcess.start('the native test server', this.net.agent, [
      BENCH_SERVER, 'http', '--port', String(NATIVE_SERVER_PORT), '--host', this.agentTunnelAddress,
    ], this.logFile('native-server'));
    await this.native.waitForLog(/bench server listening on /, 20_000);
  }

  get nativeUrl(): string {
    return `http://${this.agentTunnelAddress}:${NATIVE_SERVER_PORT}/mcp`;
  }

  /** Stops the agent (it says bye), then the gateway, then removes the namespaces and the scratch directory. */
  async destroy(graceMs: number): Promise<void> {
    testbeds.delete(this);
    const problems: string[] = [];
    for (const started of [this.native, this.agent, this.gateway]) await started?.stop(graceMs).catch((err: Error) => problems.push(err.message));
    await removeNamespaces(this.net).catch((err: Error) => problems.push(err.message));
    removeWireGuardSockets([this.gatewayInterface, this.agentInterface]);
    rmSync(this.dir, { recursive: true, force: true });
    if (problems.length) throw new Error(`cleaning up the tunnel testbed: ${problems.join('; ')}`);
  }

  /** Synchronous last resort (the benchmark's exit path). */
  destroyNow(): void {
    testbeds.delete(this);
    removeWireGuardSockets([this.gatewayInterface, this.agentInterface]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every process, namespace, socket and scratch directory of the tunnel benchmark, now. */
export function destroyAllTestbedsNow(): void {
  killAllNamespacedProcessesNow();
  removeAllNamespacesNow();
  for (const testbed of [...testbeds]) testbed.destroyNow();
}

/** stdout of a command that must succeed; its stderr in the error otherwise. */
function runToCompletion(label: string, file: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: REPO_ROOT, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${label} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}
