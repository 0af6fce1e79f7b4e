import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { ServerState, TunnelBlock } from '@mcp-workstation/protocol';
import { NO_PEER_STATISTICS } from '@mcp-workstation/wireguard';
import { ControlChannel } from '../control/control-channel.js';
import type { ControlChannelState, ControlTiming, HelloContent, StatusContent, TunnelUpdate } from '../control/types.js';
import { AgentStateStore, newestKeyPair, type AgentState, type KeyConfirmation } from '../state/agent-state.js';
import { createWireGuardBackend, type BackendChoice } from '../wireguard/select-backend.js';
import type { PeerStatistics, TunnelListener, TunnelLogger, WireGuardBackend } from '../wireguard/types.js';
import { resolveEndpoint, type LookupAddress } from './endpoint-resolver.js';
import { handshakeHealth, worstOf, type ComponentHealth, type TunnelHealth } from './tunnel-health.js';
import { tunnelAddress, tunnelHostHeader, wireGuardConfig } from './wireguard-config.js';

/** One supervised server as the tunnel reports it in `hello` and `status` (protocol.md §2). */
export interface TunnelServerReport {
  name: string;
  state: ServerState;
  restarts: number;
  lastError: string | null;
  credentials?: { state: 'ok' | 'expired' | 'unknown'; since: string | null };
}

export interface TunnelAgentOptions {
  stateDir: string;
  backend?: BackendChoice;
  /** Default mcpw0. Unique per agent on a machine (wireguard-go's UAPI sockets are shared by every namespace). */
  interfaceName?: string;
  caFile?: string;
  allowHttp?: boolean;
  /** The servers as they are now; asked for on every hello and status. */
  servers: () => TunnelServerReport[];
  /**
   * A connection from the gateway through the tunnel, already checked against peer.allowedIps:
   * serve it exactly like a local one, accepting `hostHeader` as its Host (protocol.md §3).
   */
  onConnection: (socket: Duplex, context: { hostHeader: string; remoteAddress: string }) => void;
  logger: TunnelLogger;
  /** How often the WireGuard statistics are read for health. Default 5 s. */
  healthPollMs?: number;
  /** For tests: DNS, the backend, and short control-channel timings. */
  lookup?: LookupAddress;
  createBackend?: (choice: BackendChoice) => Promise<WireGuardBackend>;
  controlTiming?: Partial<ControlTiming>;
}

export interface TunnelAgentEvents {
  health: [TunnelHealth];
}

const NOT_REGISTERED = 'not registered: serving locally only (run `mcp-workstation register` to reach a gateway)';

/**
 * The agent side of protocol.md: loads the registration, brings WireGuard and the tunnel
 * listener up, keeps the control channel, and applies what the gateway says (config, rotate,
 * revoke). It never knows MCP: accepted sockets go to `onConnection`.
 */
export class TunnelAgent extends EventEmitter<TunnelAgentEvents> {
  private readonly store: AgentStateStore;
  private readonly interfaceName: string;
  private state: AgentState | null = null;
  private backend: WireGuardBackend | null = null;
  private listener: TunnelListener | null = null;
  private listening: { address: string; port: number } | null = null;
  private resolvedEndpoint: string | null = null;
  private control: ControlChannel | null = null;
  private statistics: PeerStatistics = NO_PEER_STATISTICS;
  private poller: NodeJS.Timeout | null = null;
  private overall: ComponentHealth = { state: 'starting', reason: 'starting' };
  private stopped = false;
  private welcomes = 0;

  constructor(private readonly options: TunnelAgentOptions) {
    super();
    this.store = new AgentStateStore(options.stateDir);
    this.interfaceName = options.interfaceName ?? 'mcpw0';
  }

  /** Brings the tunnel up when a registration exists. Never throws: problems become health with a reason. */
  async start(): Promise<void> {
    try {
      this.state = await this.store.load();
    } catch (error) {
      return this.fail(`cannot read the agent state: ${message(error)}`);
    }
    if (this.state === null) {
      const revoked = await this.store.readRevocation().catch(() => null);
      this.setOverall({ state: 'stopped', reason: revoked ? `revoked: ${revoked.reason}` : NOT_REGISTERED });
      return;
    }
    try {
      await this.bringUp(this.state);
    } catch (error) {
      await this.tearDown();
      return this.fail(`the WireGuard tunnel could not come up: ${message(error)}`);
    }
    this.startControlChannel(this.state);
    this.poller = setInterval(() => void this.pollStatistics(), this.options.healthPollMs ?? 5_000).unref();
  }

  /** Graceful: `bye`, then the tunnel down. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    await this.control?.close('shutdown').catch(() => undefined);
    await this.tearDown();
    this.setOverall({ state: 'stopped', reason: 'stopped' });
  }

  /** A server changed state: tell the gateway now rather than at the next 30 s status. */
  serversChanged(): void {
    this.control?.statusChanged();
  }

  /** The Host the gateway sends through the tunnel, or null with no registration. */
  hostHeader(): string | null {
    return this.state ? tunnelHostHeader(this.state.tunnel) : null;
  }

  health(): TunnelHealth {
    const control = this.control ? controlHealth(this.control.state()) : { state: this.overall.state, reason: this.overall.reason };
    const wireguard = this.wireguardHealth();
    const listener: ComponentHealth = this.listener
      ? { state: 'ready', reason: `listening on ${this.listening!.address}:${this.listening!.port}` }
      : { state: this.overall.state === 'ready' ? 'failed' : this.overall.state, reason: 'not listening' };
    const running = this.backend !== null && !this.stopped;
    const overall = running ? worstOf([wireguard, control, listener]) : this.overall;
    return {
      ...overall,
      registered: this.state !== null,
      agentId: this.state?.identity.agentId ?? null,
      wireguard: {
        ...wireguard,
        lastHandshakeAt: this.statistics.lastHandshakeAt?.toISOString() ?? null,
        rxBytes: this.statistics.rxBytes,
        txBytes: this.statistics.txBytes,
      },
      control,
      listener: { ...listener, address: this.listening ? `${this.listening.address}:${this.listening.port}` : null },
    };
  }

  private async bringUp(state: AgentState): Promise<void> {
    this.resolvedEndpoint = await resolveEndpoint(state.tunnel.peer.endpoint, this.options.lookup);
    const create = this.options.createBackend ?? ((choice) => createWireGuardBackend(choice, { logger: this.options.logger }));
    this.backend = await create(this.options.backend ?? 'auto');
    this.backend.onStatus(() => this.emitHealth());
    await this.backend.up(wireGuardConfig(this.interfaceName, state.keys.current.privateKey, state.tunnel, this.resolvedEndpoint));
    await this.listen(state.tunnel);
    this.options.logger.info('WireGuard tunnel up', { interface: this.interfaceName, address: state.tunnel.address, endpoint: this.resolvedEndpoint });
  }

  private async listen(tunnel: TunnelBlock): Promise<void> {
    const address = tunnelAddress(tunnel);
    if (this.listening?.address === address && this.listening.port === tunnel.listenPort) return;
    await this.listener?.close();
    const hostHeader = tunnelHostHeader(tunnel);
    this.listener = await this.backend!.listen({
      port: tunnel.listenPort,
      allowedSources: tunnel.peer.allowedIps,
      onConnection: (socket, remoteAddress) => this.options.onConnection(socket, { hostHeader, remoteAddress }),
      onRefused: (remoteAddress) => this.options.logger.warn('refused a tunnel connection from outside the gateway addresses', { remoteAddress }),
    });
    this.listening = { address, port: tunnel.listenPort };
  }

  private startControlChannel(state: AgentState): void {
    const control = new ControlChannel({
      controlUrl: state.identity.controlUrl,
      agentSecret: state.identity.agentSecret,
      caFile: this.options.caFile,
      allowHttp: this.options.allowHttp,
      hello: () => this.helloContent(),
      status: () => this.statusContent(),
      rotate: async () => {
        const pending = await this.store.addPendingKey();
        this.state = (await this.store.load()) ?? this.state;
        return pending.publicKey;
      },
      applyTunnel: (update) => this.applyTunnel(update),
      logger: this.options.logger,
      timing: this.options.controlTiming,
    });
    control.on('state', () => this.emitHealth());
    control.on('reconnecting', () => void this.refreshEndpoint('control channel reconnect'));
    control.on('revoked', ({ reason }) => void this.revoked(reason));
    control.on('credentials-rejected', () => void this.stopTunnel('credentials rejected: register again'));
    control.on('identity-in-use', () => void this.stopTunnel('this identity is in use by another agent'));
    this.control = control;
    control.start().catch((error) => void this.controlCannotStart(error));
  }

  /** A control URL or CA file that cannot work: without a control channel the tunnel is useless, so it goes down. */
  private async controlCannotStart(error: unknown): Promise<void> {
    this.control = null;
    await this.tearDown();
    this.fail(`the control channel cannot start: ${message(error)}`);
  }

  /**
   * WireGuard only handshakes when it has something to send. After a new key (a confirmed
   * rotation) it has no session at all, and after a lost control connection the gateway may
   * have restarted and forgotten its own; one datagram through the tunnel makes WireGuard
   * handshake at once, or re-check within 15 s (see wireguard/handshake-nudge.ts).
   */
  private async nudge(why: string): Promise<void> {
    if (!this.backend) return;
    await this.backend.rehandshake();
    this.options.logger.debug(`${why}: asked WireGuard to handshake again if it must`);
  }

  private helloContent(): HelloContent {
    const state = this.requireState();
    return {
      publicKey: newestKeyPair(state.keys).publicKey,
      servers: this.options.servers().map(({ name, state: serverState }) => ({ name, state: serverState })),
      tunnel: { address: state.tunnel.address },
    };
  }

  private statusContent(): StatusContent {
    return {
      servers: this.options.servers(),
      tunnel: {
        lastHandshakeAt: this.statistics.lastHandshakeAt?.toISOString() ?? null,
        rxBytes: this.statistics.rxBytes,
        txBytes: this.statistics.txBytes,
      },
    };
  }

  /** protocol.md §2: save the block if it differs, confirm the key, apply it live. */
  private async applyTunnel(update: TunnelUpdate): Promise<KeyConfirmation> {
    // A revoke or a rejection may land while an update is being applied: once the tunnel is
    // down for good, nothing may bring it back (or write the forgotten state again).
    if (this.stopped) return 'current';
    const changed = await this.store.saveTunnel(update.tunnel);
    const confirmation = await this.store.confirmKey(update.agentPublicKey);
    if (confirmation === 'unknown' || this.stopped) return confirmation;
    const state = (await this.store.load()) ?? this.requireState();
    if (this.stopped) return confirmation;
    this.state = state;
    if (changed || confirmation === 'promoted' || this.backend === null) await this.reconfigure(state);
    const reconnected = update.source === 'welcome' && this.welcomes++ > 0;
    if (confirmation === 'promoted') await this.nudge('new key');
    else if (reconnected) await this.nudge('control channel reconnected');
    return confirmation;
  }

  private async reconfigure(state: AgentState): Promise<void> {
    this.resolvedEndpoint = await resolveEndpoint(state.tunnel.peer.endpoint, this.options.lookup);
    if (this.stopped) return;
    const config = wireGuardConfig(this.interfaceName, state.keys.current.privateKey, state.tunnel, this.resolvedEndpoint);
    if (this.backend === null) return this.bringUp(state);
    await this.backend.apply(config);
    await this.listen(state.tunnel);
    this.options.logger.info('tunnel configuration applied', { address: state.tunnel.address, endpoint: this.resolvedEndpoint });
  }

  /** protocol.md §3: re-resolve a DNS endpoint and update the peer when the address changed. */
  private async refreshEndpoint(why: string): Promise<void> {
    const state = this.state;
    if (!state || !this.backend || this.stopped) return;
    try {
      const resolved = await resolveEndpoint(state.tunnel.peer.endpoint, this.options.lookup);
      if (resolved === this.resolvedEndpoint) return;
      this.options.logger.info('the gateway endpoint moved', { from: this.resolvedEndpoint, to: resolved, why });
      this.resolvedEndpoint = resolved;
      await this.backend.apply(wireGuardConfig(this.interfaceName, state.keys.current.privateKey, state.tunnel, resolved));
    } catch (error) {
      this.options.logger.warn('cannot resolve the gateway endpoint', { endpoint: state.tunnel.peer.endpoint, reason: message(error) });
    }
  }

  private async pollStatistics(): Promise<void> {
    if (!this.backend || this.stopped) return;
    try {
      this.statistics = await this.backend.statistics();
    } catch (error) {
      this.options.logger.debug('cannot read WireGuard statistics', { reason: message(error) });
      return;
    }
    const handshake = this.wireguardHealth();
    if (handshake.state === 'degraded') await this.refreshEndpoint('stale handshake');
    this.emitHealth();
  }

  private wireguardHealth(): ComponentHealth {
    if (!this.backend) return { state: this.overall.state, reason: this.overall.reason };
    const status = this.backend.status();
    if (status.state !== 'up') return { state: status.state === 'failed' ? 'failed' : 'starting', reason: status.reason };
    return handshakeHealth(this.statistics, this.state?.tunnel.peer.persistentKeepalive, Date.now());
  }

  private async revoked(reason: string): Promise<void> {
    this.stopped = true;
    await this.tearDown();
    await this.store.forgetSecrets(reason).catch((error) => this.options.logger.error('cannot delete the revoked secrets', { reason: message(error) }));
    this.state = null;
    this.options.logger.error(`revoked: ${reason}; the tunnel is down and the servers go on serving locally`);
    this.setOverall({ state: 'stopped', reason: `revoked: ${reason}` });
  }

  private async stopTunnel(reason: string): Promise<void> {
    this.stopped = true;
    await this.tearDown();
    this.options.logger.error(`${reason}; the tunnel is down and the servers go on serving locally`);
    this.setOverall({ state: 'failed', reason });
  }

  private async tearDown(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    const listener = this.listener;
    const backend = this.backend;
    this.listener = null;
    this.listening = null;
    this.backend = null;
    await listener?.close().catch(() => undefined);
    await backend?.down().catch((error) => this.options.logger.warn('WireGuard teardown failed', { reason: message(error) }));
  }

  private fail(reason: string): void {
    this.options.logger.error(reason);
    this.setOverall({ state: 'failed', reason });
  }

  private setOverall(health: ComponentHealth): void {
    this.overall = health;
    this.emitHealth();
  }

  private emitHealth(): void {
    this.emit('health', this.health());
  }

  private requireState(): AgentState {
    if (!this.state) throw new Error('no registration');
    return this.state;
  }
}

function controlHealth(state: ControlChannelState): ComponentHealth {
  if (state.degraded) return { state: 'degraded', reason: state.degraded };
  switch (state.state) {
    case 'connected':
      return { state: 'ready', reason: 'connected to the gateway' };
    case 'stopped':
      // Revoked is an end the operator chose, not a fault (docs/protocol.md, data plane health).
      return { state: state.stopCause === 'shutdown' || state.stopCause === 'revoked' ? 'stopped' : 'failed', reason: state.reason };
    default:
      return { state: state.lastWelcomeAt ? 'degraded' : 'starting', reason: state.reason };
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
