import { generateKeyPair } from '@mcp-workstation/wireguard';
import { ControlChannelError } from './control-error.js';
import { Harness, SECRET, TUNNEL, nextEvent, until } from './test-support/agent-harness.js';

let h: Harness;

beforeEach(async () => {
  h = await Harness.create();
});

afterEach(async () => {
  try {
    expect(h.gateway.invalidFrames).toEqual([]);
    expect(h.logger.text()).not.toContain(SECRET);
  } finally {
    await h.cleanup();
  }
});

describe('hello and welcome', () => {
  test('the agent sends hello first, with its bearer secret, and nothing else until welcome', async () => {
    h.gateway.welcomeMode = 'manual';
    const channel = await h.started();
    const session = await h.session();

    expect(h.gateway.upgrades[0]!.authorization).toBe(`Bearer ${SECRET}`);
    expect(h.gateway.upgrades[0]!.path).toBe('/v1/agents/agt_test/control');
    expect(session.frames).toEqual([
      { type: 'hello', agentVersion: '0.1.0', publicKey: await h.currentPublicKey(), servers: [{ name: 'default', state: 'ready' }], tunnel: { address: TUNNEL.address } },
    ]);
    expect(channel.state().state).toBe('connecting');

    // A frame that needs an answer, a config ("at any time") and a status change, all before
    // welcome: the config is applied, and the agent stays silent.
    session.send({ type: 'rotate' });
    session.config(await h.currentPublicKey());
    channel.statusChanged();
    await session.roundTrip();
    await until(() => h.updates.length === 1, 'the early config to be applied');
    expect(h.updates[0]!.source).toBe('config');
    expect(session.frames.map((frame) => frame.type)).toEqual(['hello']);
    expect(h.rotateCalls).toBe(0);
    expect(h.statusCalls).toBe(0);
    expect(h.logger.at('warn')).toEqual(expect.arrayContaining([expect.stringMatching(/ignored a rotate frame that arrived before welcome/)]));

    const connected = nextEvent(channel, 'connected');
    session.welcome(await h.currentPublicKey());
    await connected;
    const [status] = await session.framesOf('status');
    expect(session.frames.map((frame) => frame.type)).toEqual(['hello', 'status']);
    expect(status).toEqual({
      type: 'status',
      servers: [{ name: 'default', state: 'ready', restarts: 1, lastError: null, credentials: { state: 'ok', since: null } }],
      tunnel: { lastHandshakeAt: null, rxBytes: 0, txBytes: 0 },
    });
    const state = channel.state();
    expect(state).toMatchObject({ state: 'connected', stopCause: null, degraded: null });
    expect(state.lastWelcomeAt).toBeInstanceOf(Date);
  });

  test('welcome hands its tunnel block and key to the orchestrator', async () => {
    await h.started();
    await (await h.session()).framesOf('status');
    await until(() => h.updates.length === 1, 'the welcome to be applied');
    expect(h.updates[0]).toEqual({ source: 'welcome', agentPublicKey: await h.currentPublicKey(), tunnel: TUNNEL });
  });

  test('a control URL that would send the secret in clear over the network is refused before connecting', async () => {
    const channel = h.agent({ controlUrl: 'ws://gw.example.com/v1/agents/agt_test/control' });
    const err = await channel.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ControlChannelError);
    expect((err as Error).message).toMatch(/unencrypted.*--allow-http/);
    expect(h.gateway.upgrades).toHaveLength(0);
  });

  test('a missing CA file is reported with its path before connecting', async () => {
    const channel = h.agent({ caFile: `${h.dir}/missing.pem` });
    await expect(channel.start()).rejects.toThrow(/cannot read the CA file .*missing\.pem.*--ca-file/);
    expect(h.gateway.upgrades).toHaveLength(0);
  });

  test('the agent answers the gateway’s pings', async () => {
    await h.started();
    const session = await h.session();
    await session.framesOf('status');
    await expect(session.roundTrip()).resolves.toBeUndefined();
  });
});

describe('status', () => {
  test('is sent again at least every statusIntervalMs', async () => {
    await h.started({ timing: { statusIntervalMs: 40 } });
    const statuses = await (await h.session()).framesOf('status', 3);
    expect(statuses.map((status) => status.servers[0]!.restarts)).toEqual([1, 2, 3]);
  });

  test('statusChanged() sends one at once', async () => {
    const channel = await h.started();
    const session = await h.session();
    await session.framesOf('status', 1);
    channel.statusChanged();
    const statuses = await session.framesOf('status', 2);
    expect(statuses[1]!.servers[0]!.restarts).toBe(2);
  });

  test('a burst of changes never runs the status provider twice at once', async () => {
    let running = 0;
    let overlapped = false;
    const channel = await h.started({
      status: async () => {
        running += 1;
        overlapped ||= running > 1;
        await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
        return { servers: [], tunnel: { lastHandshakeAt: null, rxBytes: 0, txBytes: 0 } };
      },
    });
    const session = await h.session();
    await session.framesOf('status', 1);
    for (let i = 0; i < 5; i += 1) channel.statusChanged();
    await session.framesOf('status', 2);
    await session.roundTrip();
    expect(overlapped).toBe(false);
  });
});

describe('config', () => {
  test('is handed to the orchestrator and saved; the saved block changes', async () => {
    await h.started();
    const session = await h.session();
    await session.framesOf('status');
    const moved = { ...TUNNEL, mtu: 1380, peer: { ...TUNNEL.peer, endpoint: 'gw2.example.com:51820' } };
    session.config(await h.currentPublicKey(), moved);
    await until(() => h.updates.length === 2, 'the config to be applied');
    expect(h.updates[1]).toEqual({ source: 'config', agentPublicKey: await h.currentPublicKey(), tunnel: moved });
    expect((await h.store.load())!.tunnel).toEqual(moved);
  });

  test('a key that matches none of the agent’s keys is an error, keeps the key and reports degraded until a good one comes', async () => {
    const channel = await h.started();
    const session = await h.session();
    await session.framesOf('status');
    const before = await h.currentPublicKey();
    const stranger = generateKeyPair().publicKey;

    const degraded = nextEvent(channel, 'degraded');
    session.config(stranger);
    const [reason] = await degraded;
    expect(reason).toContain(stranger);
    expect(channel.state().degraded).toBe(reason);
    expect(h.logger.at('error')).toEqual(expect.arrayContaining([expect.stringContaining(`${stranger} as this agent's key, which matches none of its keys`)]));
    expect(await h.currentPublicKey()).toBe(before);

    const healed = nextEvent(channel, 'degraded');
    session.config(before);
    expect(await healed).toEqual([null]);
    expect(channel.state().degraded).toBeNull();
  });

  test('an orchestrator that fails to apply a block leaves the agent degraded with the reason, and connected', async () => {
    const channel = await h.started({
      applyTunnel: () => {
        throw new Error('wg set failed');
      },
    });
    await until(() => channel.state().degraded, 'degraded');
    expect(channel.state().degraded).toMatch(/could not apply the tunnel configuration from welcome: wg set failed/);
    expect(channel.state().state).toBe('connected');
  });
});

describe('rotate', () => {
  test('is answered with the pending key; a second rotate before confirmation gets the same key; config promotes it', async () => {
    await h.started();
    const session = await h.session();
    await session.framesOf('status');
    const oldKey = await h.currentPublicKey();

    session.send({ type: 'rotate' });
    const [first] = await session.framesOf('rotated', 1);
    const pending = (await h.store.load())!.keys.pending;
    expect(first!.publicKey).toBe(pending!.publicKey);
    expect(first!.publicKey).not.toBe(oldKey);

    session.send({ type: 'rotate' });
    const rotated = await session.framesOf('rotated', 2);
    expect(rotated[1]!.publicKey).toBe(first!.publicKey);

    session.config(first!.publicKey);
    await until(() => h.updates.length === 2, 'the config to be applied');
    await until(() => h.logger.at('info').some((line) => line.includes('confirmed the rotated key')), 'the key to be promoted');
    const keys = (await h.store.load())!.keys;
    expect(keys.current.publicKey).toBe(first!.publicKey);
    expect(keys.pending).toBeNull();
  });

  test('a rotation whose connection drops before the gateway confirms it heals on the next hello', async () => {
    await h.started();
    const session = await h.session();
    await session.framesOf('status');
    session.send({ type: 'rotate' });
    const [rotated] = await session.framesOf('rotated');
    session.terminate();

    const again = await h.session(2);
    expect(again.hello!.publicKey).toBe(rotated!.publicKey);
    // The fake gateway installs hello's key and says so in welcome, as protocol.md §2 requires.
    await until(() => h.updates.length === 2, 'the second welcome to be applied');
    await until(() => h.logger.at('info').some((line) => line.includes('confirmed the rotated key')), 'the key to be promoted');
    expect(await h.currentPublicKey()).toBe(rotated!.publicKey);
  });
});

describe('frames the agent does not understand', () => {
  test('unknown types and malformed frames are logged with the reason and ignored; the connection goes on', async () => {
    const channel = await h.started();
    const session = await h.session();
    await session.framesOf('status');

    session.send({ type: 'surprise', from: 'a later protocol version' });
    session.send('not json at all');
    session.send('[1, 2]');
    session.send({ type: 'config', agentPublicKey: await h.currentPublicKey() });
    session.send({ noType: true });
    session.sendBinary(Buffer.from('{"type":"rotate"}'));
    session.config(await h.currentPublicKey());

    await until(() => h.updates.length === 2, 'the valid config after the bad frames');
    expect(h.logger.at('info')).toContain('ignored a control frame of unknown type "surprise"');
    const warnings = h.logger.at('warn').filter((line) => line.startsWith('ignored a malformed control frame'));
    expect(warnings).toEqual([
      expect.stringMatching(/not JSON/),
      expect.stringMatching(/must be a JSON object/),
      expect.stringMatching(/tunnel: /),
      expect.stringMatching(/needs a string "type"/),
      expect.stringMatching(/binary frame/),
    ]);
    expect(h.rotateCalls).toBe(0);
    expect(h.gateway.upgrades).toHaveLength(1);
    expect(channel.state().state).toBe('connected');
  });
});
