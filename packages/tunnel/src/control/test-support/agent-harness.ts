import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EventEmitter } from 'node:events';
import type { StatusFrame, TunnelBlock } from '@mcp-workstation/protocol';
import { AgentStateStore, newestKeyPair } from '../../state/agent-state.js';
import { generateKeyPair } from '@mcp-workstation/wireguard';
import { ControlChannel } from '../control-channel.js';
import type { ControlChannelEvents, ControlChannelOptions, ControlLogger, ControlTiming, TunnelUpdate } from '../types.js';
import { FakeGateway, type FakeGatewayOptions, type GatewaySession } from './fake-gateway.js';
import { until } from './until.js';

export const SECRET = `as_${'S'.repeat(45)}`;
/** A second agent the tests use as a yardstick for "a reconnect would have happened by now". */
export const REFERENCE_SECRET = `as_${'R'.repeat(45)}`;

export const TUNNEL: TunnelBlock = {
  address: '100.96.0.7/32',
  mtu: 1420,
  listenPort: 8000,
  peer: { publicKey: generateKeyPair().publicKey, endpoint: 'gw.example.com:51820', allowedIps: ['100.96.0.1/32'], persistentKeepalive: 25 },
};

/**
 * Short real timings. random 0 makes every backoff wait 0 ms, so a reconnect that should not
 * happen would happen at once; the protocol's own values are checked in backoff.test.ts.
 */
export const FAST_TIMING: Partial<ControlTiming> = {
  pingIntervalMs: 60_000,
  pongTimeoutMs: 60_000,
  statusIntervalMs: 60_000,
  reconnectBaseMs: 20,
  reconnectCapMs: 100,
  replacedWaitMs: 100,
  welcomeTimeoutMs: 5_000,
  handshakeTimeoutMs: 5_000,
  closeTimeoutMs: 1_000,
};

export interface LogRecord {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta?: Record<string, unknown>;
}

export class CollectingLogger implements ControlLogger {
  readonly records: LogRecord[] = [];
  error = (message: string, meta?: Record<string, unknown>): void => void this.records.push({ level: 'error', message, meta });
  warn = (message: string, meta?: Record<string, unknown>): void => void this.records.push({ level: 'warn', message, meta });
  info = (message: string, meta?: Record<string, unknown>): void => void this.records.push({ level: 'info', message, meta });
  debug = (message: string, meta?: Record<string, unknown>): void => void this.records.push({ level: 'debug', message, meta });

  at(level: LogRecord['level']): string[] {
    return this.records.filter((record) => record.level === level).map((record) => record.message);
  }

  /** Everything logged, metadata included: what must never contain a secret. */
  text(): string {
    return JSON.stringify(this.records);
  }
}

/**
 * One test's world: a registered agent's real state store in a temporary directory, a fake
 * gateway on 127.0.0.1, and ControlChannels whose providers are backed by that store the way
 * the orchestrator will back them.
 */
export class Harness {
  readonly logger = new CollectingLogger();
  readonly updates: TunnelUpdate[] = [];
  statusCalls = 0;
  rotateCalls = 0;
  private readonly channels: ControlChannel[] = [];

  private constructor(
    readonly dir: string,
    readonly store: AgentStateStore,
    readonly gateway: FakeGateway,
  ) {}

  static async create(gatewayOptions: Partial<FakeGatewayOptions> = {}): Promise<Harness> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'control-channel-'));
    const store = new AgentStateStore(path.join(dir, 'state'));
    const gateway = await new FakeGateway({ secrets: [SECRET, REFERENCE_SECRET], tunnel: TUNNEL, ...gatewayOptions }).start();
    await store.saveRegistration({
      identity: {
        agentId: 'agt_test',
        agentSecret: SECRET,
        gatewayUrl: 'http://127.0.0.1/',
        controlUrl: gateway.url,
        registeredAt: new Date().toISOString(),
      },
      tunnel: TUNNEL,
      keyPair: generateKeyPair(),
    });
    return new Harness(dir, store, gateway);
  }

  /** A channel for the registered agent (not started). */
  agent(overrides: Partial<ControlChannelOptions> = {}): ControlChannel {
    const channel = new ControlChannel({
      controlUrl: overrides.controlUrl ?? this.gateway.url,
      agentSecret: SECRET,
      agentVersion: '0.1.0',
      hello: async () => {
        const state = await this.store.load();
        if (!state) throw new Error('not registered');
        return { publicKey: newestKeyPair(state.keys).publicKey, servers: [{ name: 'default', state: 'ready' }], tunnel: { address: state.tunnel.address } };
      },
      status: () => this.statusContent(),
      rotate: async () => {
        this.rotateCalls += 1;
        return (await this.store.addPendingKey()).publicKey;
      },
      applyTunnel: async (update) => {
        this.updates.push(update);
        await this.store.saveTunnel(update.tunnel);
        return this.store.confirmKey(update.agentPublicKey);
      },
      logger: this.logger,
      timing: FAST_TIMING,
      random: () => 0,
      ...overrides,
    });
    this.channels.push(channel);
    return channel;
  }

  async started(overrides: Partial<ControlChannelOptions> = {}): Promise<ControlChannel> {
    const channel = this.agent(overrides);
    await channel.start();
    return channel;
  }

  /** The agent's n-th session at the gateway, once it sent hello. */
  session(n = 1): Promise<GatewaySession> {
    return this.gateway.session(SECRET, n);
  }

  async currentPublicKey(): Promise<string> {
    return (await this.store.load())!.keys.current.publicKey;
  }

  /**
   * Waits until a reference agent with the same timings has lost a connection (by `drop`) and
   * reconnected. Call it after the agent under test lost its connection: had that agent decided
   * to reconnect, it would have done so first, so its upgrade count is final afterwards.
   */
  async reconnectWindowPassed(drop: (session: GatewaySession) => void = (session) => session.terminate()): Promise<void> {
    const reference = this.agent({ agentSecret: REFERENCE_SECRET, logger: new CollectingLogger() });
    await reference.start();
    const first = await this.gateway.session(REFERENCE_SECRET, 1);
    await first.framesOf('status');
    drop(first);
    await this.gateway.session(REFERENCE_SECRET, 2);
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled(this.channels.map((channel) => channel.close()));
    await this.gateway.stop();
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  private statusContent(): Omit<StatusFrame, 'type'> {
    this.statusCalls += 1;
    return {
      servers: [{ name: 'default', state: 'ready', restarts: this.statusCalls, lastError: null, credentials: { state: 'ok', since: null } }],
      tunnel: { lastHandshakeAt: null, rxBytes: 0, txBytes: 0 },
    };
  }
}

/** The next emission of a channel event, or a failure naming it after the deadline. */
export function nextEvent<K extends keyof ControlChannelEvents>(
  channel: EventEmitter<ControlChannelEvents>,
  name: K,
  timeoutMs = 5_000,
): Promise<ControlChannelEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${String(name)}" event within ${timeoutMs} ms`)), timeoutMs);
    (channel as EventEmitter).once(name as string, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as ControlChannelEvents[K]);
    });
  });
}

export { until };
