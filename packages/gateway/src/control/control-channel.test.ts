import { CloseCode, parseGatewayFrame } from '@mcp-workstation/protocol';
import { ControlClient } from '../test-support/control-client.js';
import { newAgentKey, registerAgent, startTestGateway, type TestGateway } from '../test-support/gateway-harness.js';
import { makeTempDir, removeDir } from '../test-support/temp-dir.js';
import { waitFor } from '../test-support/wait.js';

describe('control channel (protocol.md §2)', () => {
  let dir: string;
  let harness: TestGateway;
  const clients: ControlClient[] = [];

  beforeEach(async () => {
    dir = await makeTempDir();
    harness = await startTestGateway(dir);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await harness.gateway.close();
    await removeDir(dir);
  });

  async function connect(controlUrl: string, secret: string): Promise<ControlClient> {
    const client = await ControlClient.connect(controlUrl, secret);
    clients.push(client);
    return client;
  }

  /** A registered agent whose control connection has said hello and been welcomed. */
  async function welcomedAgent() {
    const { key, registration } = await registerAgent(harness);
    const client = await connect(registration.controlUrl, registration.agentSecret);
    client.hello(key.publicKey, registration.tunnel.address);
    const welcome = await client.next('welcome');
    return { key, registration, client, welcome };
  }

  it('answers hello with welcome: the installed key and the whole tunnel block', async () => {
    const { key, registration, welcome } = await welcomedAgent();
    expect(parseGatewayFrame(JSON.stringify(welcome)).ok).toBe(true);
    expect(welcome).toEqual({ type: 'welcome', agentPublicKey: key.publicKey, tunnel: registration.tunnel });
    const [listing] = await harness.gateway.operations.list();
    expect(listing).toMatchObject({ id: registration.agentId, connected: true, servers: [{ name: 'aws', state: 'ready' }] });
  });

  it('installs the key of a hello as the peer (a rotation that lost its connection heals)', async () => {
    const { key, registration } = await registerAgent(harness);
    const client = await connect(registration.controlUrl, registration.agentSecret);
    const newer = newAgentKey();
    client.hello(newer.publicKey, registration.tunnel.address);
    const welcome = await client.next('welcome');
    expect(welcome.agentPublicKey).toBe(newer.publicKey);
    expect(harness.wireguard.peers.has(key.publicKey)).toBe(false);
    expect(harness.wireguard.peers.get(newer.publicKey)).toEqual({ publicKey: newer.publicKey, address: '100.96.0.2' });
  });

  it('refuses a hello key another agent holds: no change, logged, welcome names the current key', async () => {
    const first = await welcomedAgent();
    const { key, registration } = await registerAgent(harness);
    const client = await connect(registration.controlUrl, registration.agentSecret);
    client.hello(first.key.publicKey, registration.tunnel.address);
    const welcome = await client.next('welcome');
    expect(welcome.agentPublicKey).toBe(key.publicKey);
    expect(harness.wireguard.peers.get(first.key.publicKey)?.address).toBe('100.96.0.2');
    expect(harness.wireguard.peers.get(key.publicKey)?.address).toBe('100.96.0.3');
    expect(harness.logs.some((line) => line.includes(`agent ${registration.agentId} offered a WireGuard key that agent ${first.registration.agentId} holds`))).toBe(true);
  });

  it('refuses the upgrade with 401 for a wrong secret or an unknown agent', async () => {
    const { registration } = await registerAgent(harness);
    await expect(ControlClient.connect(registration.controlUrl, 'mwsec_wrong-secret-wrong-secret-wrong')).rejects.toMatchObject({ status: 401 });
    const unknown = registration.controlUrl.replace(registration.agentId, 'agt_00000000000000000000');
    await expect(ControlClient.connect(unknown, registration.agentSecret)).rejects.toMatchObject({ status: 401 });
    expect(harness.logs.join('\n')).not.toContain(registration.agentSecret);
  });

  it('closes the older connection with 4409 when the same agent connects again', async () => {
    const { key, registration, client: older } = await welcomedAgent();
    const newer = await connect(registration.controlUrl, registration.agentSecret);
    expect((await older.closedWith()).code).toBe(CloseCode.replaced);
    newer.hello(key.publicKey, registration.tunnel.address);
    await newer.next('welcome');
    expect(newer.closed).toBeNull();
  });

  it('rotate: sends rotate, installs the key of rotated and answers config with it', async () => {
    const { key, registration, client } = await welcomedAgent();
    expect(harness.gateway.operations.rotate(registration.agentId)).toBe('sent');
    await client.next('rotate');
    const rotated = newAgentKey();
    client.send({ type: 'rotated', publicKey: rotated.publicKey });
    const config = await client.next('config');
    expect(config).toEqual({ type: 'config', agentPublicKey: rotated.publicKey, tunnel: registration.tunnel });
    expect(harness.wireguard.peers.has(key.publicKey)).toBe(false);
    expect(harness.wireguard.peers.get(rotated.publicKey)?.address).toBe('100.96.0.2');
    expect((await harness.gateway.operations.list())[0]!.publicKey).toBe(rotated.publicKey);
  });

  it('rotate is refused for an agent that is not connected', async () => {
    const { registration } = await registerAgent(harness);
    expect(harness.gateway.operations.rotate(registration.agentId)).toBe('not_connected');
    expect(harness.gateway.operations.rotate('agt_nobody')).toBe('unknown');
  });

  it('revoke: sends revoke with the reason, closes with 4403, removes the peer and the secret', async () => {
    const { key, registration, client } = await welcomedAgent();
    expect(await harness.gateway.operations.revoke(registration.agentId, 'laptop lost')).toEqual({ revoked: true, notified: true });
    expect(await client.next('revoke')).toEqual({ type: 'revoke', reason: 'laptop lost' });
    expect((await client.closedWith()).code).toBe(CloseCode.revoked);
    expect(harness.wireguard.peers.has(key.publicKey)).toBe(false);
    await expect(ControlClient.connect(registration.controlUrl, registration.agentSecret)).rejects.toMatchObject({ status: 401 });
  });

  it('ignores malformed, unknown-type and binary frames and goes on answering', async () => {
    const { key, registration, client } = await welcomedAgent();
    client.send('{ not json');
    client.send({ type: 'hello', agentVersion: '0.1.0', publicKey: 'short', servers: [], tunnel: { address: '100.96.0.2/32' } });
    client.send({ type: 'no-such-frame', x: 1 });
    client.send(['an', 'array']);
    client.ws.send(Buffer.from([0, 1, 2]), { binary: true });
    client.send({ type: 'status', servers: [{ name: 'aws', state: 'backoff', restarts: 2, lastError: 'exit 1' }], tunnel: { lastHandshakeAt: null, rxBytes: 0, txBytes: 0 } });
    client.hello(key.publicKey, registration.tunnel.address);
    await client.next('welcome');
    expect(client.closed).toBeNull();
    const logText = harness.logs.join('\n');
    expect(logText).toMatch(/ignored a malformed control frame \(not JSON/);
    expect(logText).toMatch(/ignored a malformed control frame \(publicKey:/);
    expect(logText).toMatch(/ignored a control frame of unknown type "no-such-frame"/);
    expect(logText).toMatch(/ignored a binary control frame/);
    await waitFor('the status to be recorded', async () => (await harness.gateway.operations.list())[0]!.servers[0]!.state === 'backoff');
  });

  it('ignores frames before hello', async () => {
    const { registration } = await registerAgent(harness);
    const client = await connect(registration.controlUrl, registration.agentSecret);
    client.send({ type: 'rotated', publicKey: newAgentKey().publicKey });
    client.send({ type: 'bye', reason: 'shutdown' });
    await waitFor('the log line', () => harness.logs.some((line) => line.includes('ignored "rotated" before hello')));
    expect(client.frames).toEqual([]);
  });
});

describe('control channel liveness', () => {
  let dir: string;
  let harness: TestGateway;

  beforeEach(async () => {
    dir = await makeTempDir();
    harness = await startTestGateway(dir, { pingIntervalMs: 100 });
  });
  afterEach(async () => {
    await harness.gateway.close();
    await removeDir(dir);
  });

  it('pings the agent and ends a connection whose pongs stop', async () => {
    const { registration } = await registerAgent(harness);
    const client = await ControlClient.connect(registration.controlUrl, registration.agentSecret);
    let pings = 0;
    client.ws.on('ping', () => (pings += 1));
    await waitFor('two pings answered', () => pings >= 2);
    expect(client.closed).toBeNull();
    // Stop answering: ws answers pings from its socket reader, so pause the socket itself.
    (client.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    await waitFor('the gateway to drop the connection', () => harness.logs.some((line) => line.includes('no pong within 100 ms')));
    client.close();
  });
});
