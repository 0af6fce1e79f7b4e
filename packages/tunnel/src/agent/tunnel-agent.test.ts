import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { TunnelAgent } from './tunnel-agent.js';
import { FAST_TIMING, Harness, SECRET, until } from '../control/test-support/agent-harness.js';
import type { BackendStatus, PeerStatistics, TunnelListener, TunnelListenOptions, WireGuardBackend, WireGuardConfig } from '../wireguard/types.js';
import type { TunnelHealth } from './tunnel-health.js';

/**
 * A backend that records what the agent asks of it. The real backends are exercised in
 * network namespaces (test/e2e/wireguard-backend.test.ts, test/e2e/tunnel-*.test.ts); here the
 * subject is the agent's orchestration against a real control channel and real state files.
 */
class RecordingBackend implements WireGuardBackend {
  readonly kind = 'wireguard-go' as const;
  readonly configs: WireGuardConfig[] = [];
  rehandshakes = 0;
  downs = 0;
  private state: BackendStatus = { kind: 'wireguard-go', state: 'down', reason: 'not started' };

  async up(config: WireGuardConfig): Promise<void> {
    this.configs.push(config);
    this.state = { ...this.state, state: 'up', reason: 'up' };
  }
  async apply(config: WireGuardConfig): Promise<void> {
    this.configs.push(config);
  }
  async statistics(): Promise<PeerStatistics> {
    return { lastHandshakeAt: new Date(), rxBytes: 1, txBytes: 2, endpoint: this.configs.at(-1)?.peer.endpoint ?? null };
  }
  async rehandshake(): Promise<void> {
    this.rehandshakes += 1;
  }
  async listen(options: TunnelListenOptions): Promise<TunnelListener> {
    return { address: this.configs.at(-1)!.address.split('/')[0]!, port: options.port, close: async () => undefined };
  }
  async down(): Promise<void> {
    this.downs += 1;
    this.state = { ...this.state, state: 'down', reason: 'down' };
  }
  status(): BackendStatus {
    return this.state;
  }
  onStatus(): () => void {
    return () => undefined;
  }
  lastEndpoint(): string | undefined {
    return this.configs.at(-1)?.peer.endpoint;
  }
}

describe('TunnelAgent', () => {
  let harness: Harness;
  let agent: TunnelAgent | undefined;
  let backend: RecordingBackend;
  let gatewayAddress: string;
  const lookups: string[] = [];

  beforeEach(async () => {
    harness = await Harness.create();
    backend = new RecordingBackend();
    gatewayAddress = '203.0.113.5';
    lookups.length = 0;
  });

  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await harness.cleanup();
  });

  function startAgent(): TunnelAgent {
    agent = new TunnelAgent({
      stateDir: path.join(harness.dir, 'state'),
      servers: () => [{ name: 'default', state: 'ready', restarts: 0, lastError: null }],
      onConnection: () => undefined,
      logger: harness.logger,
      healthPollMs: 50,
      // The resolver is the one stand-in: no DNS server runs here, and the test moves the name.
      lookup: async (host) => {
        lookups.push(host);
        return gatewayAddress;
      },
      createBackend: async () => backend,
      controlTiming: FAST_TIMING,
    });
    void agent.start();
    return agent;
  }

  it('resolves the endpoint name on start and again on every reconnect, moving the peer when the address changed', async () => {
    startAgent();
    await harness.gateway.session(SECRET, 1);
    expect(backend.configs[0]!.peer.endpoint).toBe('203.0.113.5:51820');
    expect(lookups).toContain('gw.example.com');

    gatewayAddress = '203.0.113.9';
    (await harness.gateway.session(SECRET, 1)).terminate();
    await harness.gateway.session(SECRET, 2);
    await until(() => backend.lastEndpoint() === '203.0.113.9:51820', 'the peer endpoint to follow the new address');
    await until(() => backend.rehandshakes > 0, 'a rehandshake after the reconnect');
  });

  it('is ready once welcomed with a fresh handshake, and reports the tunnel address it serves', async () => {
    startAgent();
    const health = await until(() => {
      const h = agent!.health();
      return h.state === 'ready' ? h : null;
    }, 'the tunnel to be ready');
    expect(health).toMatchObject({ registered: true, agentId: 'agt_test', listener: { address: '100.96.0.7:8000' } });
    expect(agent!.hostHeader()).toBe('100.96.0.7:8000');
  });

  it('on revoke takes the tunnel down, forgets the secrets and reports why', async () => {
    startAgent();
    const session = await harness.gateway.session(SECRET, 1);
    session.send({ type: 'revoke', reason: 'laptop lost' });
    const health: TunnelHealth = await until(() => {
      const h = agent!.health();
      return h.reason === 'revoked: laptop lost' && !h.registered ? h : null;
    }, 'the revocation to be carried out and reported');
    expect(health.state).toBe('stopped');
    expect(backend.downs).toBe(1);
    const files = await fs.readdir(path.join(harness.dir, 'state'));
    expect(files).not.toContain('identity.json');
    expect(files).not.toContain('keys.json');
    expect(files).toContain('revoked.json');
  });
});
