import { execFileSync } from 'node:child_process';
import { promises as fs, mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Harness, SECRET, nextEvent, until } from './test-support/agent-harness.js';

let h: Harness | undefined;

afterEach(async () => {
  if (!h) return;
  try {
    expect(h.gateway.invalidFrames).toEqual([]);
    expect(h.logger.text()).not.toContain(SECRET);
  } finally {
    await h.cleanup();
    h = undefined;
  }
});

describe('reconnect', () => {
  test('after the gateway drops the connection: backoff, a reconnecting event, a new hello and welcome', async () => {
    h = await Harness.create();
    const channel = await h.started();
    const first = await h.session();
    await first.framesOf('status');
    const states: string[] = [];
    channel.on('state', (state) => states.push(state.state));
    const reconnecting = nextEvent(channel, 'reconnecting');

    first.terminate();
    const [event] = await reconnecting;
    await (await h.session(2)).framesOf('status');

    expect(event.attempt).toBe(1);
    expect(states).toEqual(['backoff', 'connecting', 'connected']);
    expect(channel.state().state).toBe('connected');
    expect(h.logger.at('warn')).toEqual(expect.arrayContaining([expect.stringMatching(/the connection was lost .*next attempt in/)]));
  });

  test('the attempt counter grows while connections flap and resets once one lasted 60 s after its welcome', async () => {
    h = await Harness.create();
    let clock = Date.now();
    const channel = await h.started({ now: () => clock });
    const attempts: number[] = [];
    channel.on('state', (state) => state.state === 'backoff' && attempts.push(state.attempts));
    for (let n = 1; n <= 3; n += 1) {
      const session = await h.session(n);
      await session.framesOf('status');
      if (n === 3) clock += 60_000;
      session.terminate();
    }
    await (await h.session(4)).framesOf('status');
    expect(attempts).toEqual([1, 2, 1]);
  });

  test('a connection that is refused keeps being retried, with a growing attempt count', async () => {
    h = await Harness.create();
    h.gateway.refuse = () => (h!.gateway.upgrades.length <= 4 ? 502 : null);
    const channel = await h.started();
    const attempts: number[] = [];
    channel.on('state', (state) => state.state === 'backoff' && attempts.push(state.attempts));
    await (await h.session()).framesOf('status');
    expect(attempts).toEqual([1, 2, 3, 4]);
  });

  test('a gateway that cannot be reached at all is retried', async () => {
    h = await Harness.create();
    const port = Number(new URL(h.gateway.url).port);
    await h.gateway.stop();
    const channel = await h.started({ controlUrl: `ws://127.0.0.1:${port}/v1/agents/agt_test/control` });
    await until(() => h!.logger.at('warn').filter((line) => line.includes('ECONNREFUSED')).length >= 3, 'three refused attempts');
    expect(channel.state().state).not.toBe('stopped');
  });

  test('a missing pong means a dead connection: the agent terminates it and reconnects', async () => {
    h = await Harness.create({ autoPong: false });
    const channel = await h.started({ timing: { pingIntervalMs: 30, pongTimeoutMs: 60 } });
    const first = await h.session();
    await first.framesOf('status');
    await first.closed;
    await (await h.session(2)).framesOf('status');
    expect(first.pingsReceived).toBeGreaterThanOrEqual(1);
    expect(h.logger.at('warn')).toEqual(expect.arrayContaining([expect.stringMatching(/no pong within 60 ms of a ping: the connection is dead; next attempt/)]));
    expect(channel.state().state).toBe('connected');
  });

  test('pings that are answered keep the connection', async () => {
    h = await Harness.create();
    await h.started({ timing: { pingIntervalMs: 20, pongTimeoutMs: 200 } });
    const session = await h.session();
    // Long enough for several pong deadlines to pass: only the pongs keep the connection.
    await until(() => session.pingsReceived >= 25, 'twenty-five pings');
    expect(session.isClosed).toBe(false);
    expect(h.gateway.upgrades).toHaveLength(1);
  });

  test('a gateway that never answers hello is left after welcomeTimeoutMs and tried again', async () => {
    h = await Harness.create();
    h.gateway.welcomeMode = 'manual';
    await h.started({ timing: { welcomeTimeoutMs: 50 } });
    const first = await h.session();
    expect((await first.closed).code).toBe(1002);
    const second = await h.session(2);
    second.welcome(second.hello!.publicKey);
    await second.framesOf('status');
    expect(h.logger.at('warn')).toEqual(expect.arrayContaining([expect.stringMatching(/did not answer hello with welcome within 50 ms/)]));
  });

  test('a hello that cannot be built ends the attempt with the reason, and the next attempt succeeds', async () => {
    h = await Harness.create();
    const store = h.store;
    let calls = 0;
    await h.started({
      hello: async () => {
        calls += 1;
        if (calls === 1) throw new Error('state directory unreadable');
        const state = (await store.load())!;
        return { publicKey: state.keys.current.publicKey, servers: [], tunnel: { address: state.tunnel.address } };
      },
    });
    await (await h.session(1)).framesOf('status');
    expect(h.gateway.upgrades).toHaveLength(2);
    expect(h.logger.at('warn')).toEqual(expect.arrayContaining([expect.stringMatching(/could not send hello: state directory unreadable/)]));
  });

  test('a hello the protocol does not allow is never sent', async () => {
    h = await Harness.create();
    const channel = await h.started({
      hello: () => ({ publicKey: 'not-a-key', servers: [{ name: 'Bad Name', state: 'ready' }], tunnel: { address: '100.96.0.7/32' } }),
    });
    await until(() => h!.logger.at('warn').find((line) => line.includes('hello frame the protocol does not allow')), 'the refusal');
    expect(h.gateway.invalidFrames).toEqual([]);
    expect(channel.state().state).not.toBe('connected');
  });
});

describe('TLS', () => {
  let tls: { key: string; cert: string; certFile: string };

  beforeAll(() => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'control-tls-'));
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
        { stdio: 'pipe' },
      );
    } catch (err) {
      throw new Error(`this test needs openssl to make a self-signed certificate (apt-get install openssl): ${(err as Error).message}`);
    }
    tls = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
  });

  afterAll(async () => {
    if (tls) await fs.rm(path.dirname(tls.certFile), { recursive: true, force: true });
  });

  test('wss with a private CA works when its CA file is given', async () => {
    h = await Harness.create({ tls });
    expect(h.gateway.url).toMatch(/^wss:/);
    const channel = await h.started({ caFile: tls.certFile });
    await (await h.session()).framesOf('status');
    expect(channel.state().state).toBe('connected');
  });

  test('without the CA file the certificate is refused, the fix is logged, and the agent keeps trying', async () => {
    h = await Harness.create({ tls });
    const channel = await h.started();
    await until(() => h!.logger.at('warn').filter((line) => /TLS connection .* failed .*SELF.SIGNED.*--ca-file/i.test(line)).length >= 2, 'two TLS failures');
    expect(h.gateway.upgrades).toHaveLength(0);
    expect(channel.state().state).not.toBe('stopped');
  });
});
