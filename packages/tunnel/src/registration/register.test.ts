import { execFileSync } from 'node:child_process';
import { mkdtempSync, promises as fs, readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { agentNameFromHostname, parseRegisterRequest } from '@mcp-workstation/protocol';
import { AgentStateStore } from '../state/agent-state.js';
import { generateKeyPair } from '@mcp-workstation/wireguard';
import { register, type RegisterOptions } from './register.js';
import { RegistrationError } from './registration-error.js';

const TOKEN = 'rt_c2VjcmV0LXJlZ2lzdHJhdGlvbi10b2tlbi0xMjM0';
const AGENT_SECRET = 'as_'.padEnd(48, 'S');
const GATEWAY_KEY = generateKeyPair().publicKey;

/** What the fake gateway received. */
interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

type Answer = (res: http.ServerResponse, req: http.IncomingMessage, gateway: FakeGateway) => void;

/** A real HTTP(S) server on 127.0.0.1 that answers registrations as scripted, in order. */
class FakeGateway {
  readonly received: Received[] = [];
  private readonly answers: Answer[] = [];
  private server!: http.Server;

  constructor(private readonly tls?: { key: string; cert: string }) {}

  async start(): Promise<this> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString(), at: Date.now() });
        const answer = this.answers.shift() ?? error(500, 'internal', 'the test scripted no answer');
        answer(res, req, this);
      });
    };
    this.server = this.tls ? https.createServer(this.tls, handler) : http.createServer(handler);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  answer(...answers: Answer[]): this {
    this.answers.push(...answers);
    return this;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const created =
  (agentId = 'agt_3k9', controlUrl?: string): Answer =>
  (res, _req, gateway) =>
    json(res, 201, {
      agentId,
      agentSecret: AGENT_SECRET,
      tunnel: {
        address: '100.96.0.7/32',
        mtu: 1420,
        listenPort: 8000,
        peer: { publicKey: GATEWAY_KEY, endpoint: '127.0.0.1:51820', allowedIps: ['100.96.0.1/32'], persistentKeepalive: 25 },
      },
      controlUrl: controlUrl ?? `${gateway.url.replace(/^http/, 'ws')}/v1/agents/${agentId}/control`,
      laterField: 'ignored',
    });

const error =
  (status: number, code: string, message: string, headers: http.OutgoingHttpHeaders = {}): Answer =>
  (res) =>
    json(res, status, { error: { code, message } }, headers);

const dropConnection: Answer = (_res, req) => req.socket.destroy();

let root: string;
let stateDir: string;
let logged: string[];
let gateways: FakeGateway[];
const logger = {
  info: (message: string, meta?: Record<string, unknown>) => logged.push(`info ${message} ${JSON.stringify(meta ?? {})}`),
  warn: (message: string, meta?: Record<string, unknown>) => logged.push(`warn ${message} ${JSON.stringify(meta ?? {})}`),
};

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'register-'));
  stateDir = path.join(root, 'state');
  logged = [];
  gateways = [];
});
afterEach(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await fs.rm(root, { recursive: true, force: true });
});

async function gateway(tls?: { key: string; cert: string }): Promise<FakeGateway> {
  const started = await new FakeGateway(tls).start();
  gateways.push(started);
  return started;
}

function options(gw: FakeGateway | string, extra: Partial<RegisterOptions> = {}): RegisterOptions {
  return {
    gatewayUrl: typeof gw === 'string' ? gw : gw.url,
    token: TOKEN,
    servers: [{ name: 'aws' }],
    stateDir,
    logger,
    hostname: 'alice-laptop.example.com',
    retryDelayMs: () => 10,
    ...extra,
  };
}

async function failure(promise: Promise<unknown>): Promise<RegistrationError> {
  const outcome = await promise.then(
    () => new Error('registration succeeded but was expected to fail'),
    (err: unknown) => err,
  );
  expect(outcome).toBeInstanceOf(RegistrationError);
  return outcome as RegistrationError;
}

function expectNoTokenLeak(...texts: string[]): void {
  for (const text of [...logged, ...texts]) expect(text).not.toContain(TOKEN);
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const modeOf = async (p: string): Promise<number> => (await fs.stat(p)).mode & 0o777;

describe('a successful registration', () => {
  test('sends protocol.md §1 exactly and saves the identity in a 0700 directory of 0600 files', async () => {
    const gw = (await gateway()).answer(created());
    const state = await register(options(gw));

    expect(gw.received).toHaveLength(1);
    const [request] = gw.received;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/v1/agents/register');
    expect(request!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request!.body);
    expect(parseRegisterRequest(body).ok).toBe(true);
    expect(body).toEqual({
      name: agentNameFromHostname('alice-laptop.example.com'),
      publicKey: state.keys.current.publicKey,
      agentVersion: JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version,
      platform: `${process.platform}-${process.arch}`,
      servers: [{ name: 'aws' }],
    });

    expect(state.identity).toMatchObject({ agentId: 'agt_3k9', agentSecret: AGENT_SECRET, gatewayUrl: `${gw.url}/`, name: 'alice-laptop.example.com' });
    expect(state.tunnel.address).toBe('100.96.0.7/32');
    expect(await new AgentStateStore(stateDir).load()).toEqual(state);
    expect(await modeOf(stateDir)).toBe(0o700);
    for (const name of await fs.readdir(stateDir)) expect(await modeOf(path.join(stateDir, name))).toBe(0o600);

    const files = await Promise.all((await fs.readdir(stateDir)).map((n) => fs.readFile(path.join(stateDir, n), 'utf8')));
    expectNoTokenLeak(...files);
    expect(logged.some((line) => line.includes('registered as agt_3k9'))).toBe(true);
    for (const line of logged) expect(line).not.toContain(AGENT_SECRET);
  });

  test('each registration makes a fresh key pair and replaces the previous identity', async () => {
    const gw = (await gateway()).answer(created('agt_first'), created('agt_second'));
    const first = await register(options(gw));
    const second = await register(options(gw, { name: 'renamed' }));
    expect(second.keys.current.privateKey).not.toBe(first.keys.current.privateKey);
    expect(JSON.parse(gw.received[0]!.body).publicKey).not.toBe(JSON.parse(gw.received[1]!.body).publicKey);
    expect(JSON.parse(gw.received[1]!.body).name).toBe('renamed');
    expect((await new AgentStateStore(stateDir).load())?.identity.agentId).toBe('agt_second');
  });

  test('a gateway below a path prefix and a controlUrl on another host', async () => {
    const gw = (await gateway()).answer(created('agt_x', 'wss://control.example.net/v1/agents/agt_x/control'));
    const state = await register(options(gw, { gatewayUrl: `${gw.url}/prefix/` }));
    expect(gw.received[0]!.url).toBe('/prefix/v1/agents/register');
    expect(state.identity.controlUrl).toBe('wss://control.example.net/v1/agents/agt_x/control');
  });
});

describe('final errors: named by the gateway code, with the fix, never retried, nothing saved', () => {
  test.each([
    [401, 'invalid_token', 'unknown token', /the registration token is missing, unknown or expired: create a new one on the gateway/],
    [409, 'token_used', 'already used', /single use.*create a new one/],
    [409, 'key_in_use', 'key taken', /another agent already has this WireGuard public key/],
    [400, 'invalid_request', 'servers.0.name: must be 1-63 characters of a-z 0-9 -', /400 invalid_request: servers\.0\.name: must be 1-63.*Fix: correct the field/],
    [415, 'unsupported_media_type', 'JSON only', /415 unsupported_media_type.*protocol version 1/],
    [404, 'not_found', 'no such path', /404 not_found.*Fix: check --gateway/],
  ])('%d %s', async (status, code, message, expected) => {
    const gw = (await gateway()).answer(error(status, code, message), created());
    const err = await failure(register(options(gw)));
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    expect(err.message).toMatch(expected);
    expect(gw.received).toHaveLength(1);
    expect(await new AgentStateStore(stateDir).load()).toBeNull();
    expectNoTokenLeak(err.message, err.stack ?? '');
  });

  test('a token echoed back by the gateway is redacted from the error', async () => {
    const gw = (await gateway()).answer(error(401, 'invalid_token', `token ${TOKEN} is unknown`));
    const err = await failure(register(options(gw)));
    expect(err.message).toContain('token [redacted] is unknown');
    expectNoTokenLeak(err.message);
  });

  test('a 201 whose body is not a registration is reported, not retried, not saved', async () => {
    const gw = (await gateway()).answer((res) => json(res, 201, { agentId: 'agt_1', agentSecret: 'short' }), created());
    const err = await failure(register(options(gw)));
    expect(err.code).toBe('invalid_response');
    expect(err.message).toMatch(/201 Created with an invalid registration \(agentSecret: /);
    expect(gw.received).toHaveLength(1);
    expect(await new AgentStateStore(stateDir).load()).toBeNull();
  });
});

describe('retries: 429, 5xx and network errors, within the budget', () => {
  test('429 waits at least Retry-After before the next attempt', async () => {
    const gw = (await gateway()).answer(error(429, 'rate_limited', 'slow down', { 'retry-after': '1' }), created());
    const state = await register(options(gw, { retryDelayMs: () => 0 }));
    expect(state.identity.agentId).toBe('agt_3k9');
    expect(gw.received).toHaveLength(2);
    expect(gw.received[1]!.at - gw.received[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(logged.some((line) => line.startsWith('warn registration attempt 1 failed: the gateway answered 429 rate_limited'))).toBe(true);
    expectNoTokenLeak();
  });

  test('503 unavailable and a dropped connection are retried', async () => {
    const gw = (await gateway()).answer(error(503, 'unavailable', 'no tunnel address left', { 'retry-after': '0' }), dropConnection, created());
    const state = await register(options(gw));
    expect(gw.received).toHaveLength(3);
    expect(state.identity.agentId).toBe('agt_3k9');
    // the same registration, so the same key in every attempt
    expect(new Set(gw.received.map((r) => JSON.parse(r.body).publicKey)).size).toBe(1);
    expect(logged.some((line) => line.includes('network_error'))).toBe(true);
    expectNoTokenLeak();
  });

  test('a retry that finds the token used after a lost answer says the gateway may have registered the agent', async () => {
    const gw = (await gateway()).answer(dropConnection, error(409, 'token_used', 'used'));
    const err = await failure(register(options(gw)));
    expect(err.code).toBe('token_used');
    expect(err.message).toMatch(/earlier attempt lost its answer/);
  });

  test('when the budget is used up it fails with the last error', async () => {
    const gw = await gateway();
    gw.answer(...Array.from({ length: 100 }, () => error(503, 'unavailable', 'no tunnel address left')));
    const startedAt = Date.now();
    const err = await failure(register(options(gw, { retryBudgetMs: 300, retryDelayMs: () => 40 })));
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/503 unavailable: no tunnel address left \(gave up after \d+ attempts in \d+ s\)/);
    expect(gw.received.length).toBeGreaterThan(1);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(await new AgentStateStore(stateDir).load()).toBeNull();
  });

  test('a Retry-After longer than what is left of the budget fails at once with that error', async () => {
    const gw = (await gateway()).answer(error(429, 'rate_limited', 'later', { 'retry-after': '3600' }), created());
    const err = await failure(register(options(gw, { retryBudgetMs: 60_000 })));
    expect(err.code).toBe('rate_limited');
    expect(err.message).toMatch(/gave up after 1 attempts/);
    expect(gw.received).toHaveLength(1);
  });

  test('an abort signal ends the wait for Retry-After at once', async () => {
    const gw = (await gateway()).answer(error(429, 'rate_limited', 'later', { 'retry-after': '30' }), created());
    const controller = new AbortController();
    const startedAt = Date.now();
    const registering = register(options(gw, { signal: controller.signal }));
    await waitFor(() => logged.some((line) => line.includes('retrying in 30.0 s')));
    controller.abort();
    await expect(registering).rejects.toThrow(/abort/i);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(gw.received).toHaveLength(1);
  });

  test('a gateway that is not there is a network error with the last cause', async () => {
    const gw = await gateway();
    const url = gw.url;
    await gw.stop();
    gateways = [];
    const err = await failure(register(options(url, { retryBudgetMs: 200, retryDelayMs: () => 20 })));
    expect(err.code).toBe('network_error');
    expect(err.message).toMatch(/cannot reach the gateway at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED/);
  });
});

describe('checked before the token is spent', () => {
  test('http:// to a host that is not loopback is refused without --allow-http', async () => {
    const err = await failure(register({ gatewayUrl: 'http://gw.example.com', token: TOKEN, servers: [], stateDir, logger }));
    expect(err.code).toBe('insecure_url');
    expect(err.message).toContain('--allow-http');
    expectNoTokenLeak(err.message);
    await expect(fs.stat(stateDir)).rejects.toThrow(/ENOENT/);
  });

  test('a ws:// controlUrl to another host is refused without --allow-http, accepted with it', async () => {
    const insecure = 'ws://control.example.net/v1/agents/agt_ws/control';
    const gw = (await gateway()).answer(created('agt_ws', insecure), created('agt_ws', insecure));
    const err = await failure(register(options(gw)));
    expect(err.code).toBe('insecure_url');
    expect(err.message).toMatch(/control URL .* unencrypted.*--allow-http/);
    expect(await new AgentStateStore(stateDir).load()).toBeNull();

    const state = await register(options(gw, { allowHttp: true }));
    expect(state.identity.controlUrl).toBe(insecure);
  });

  test('a loose state directory, a bad agent name or a malformed token: no request at all', async () => {
    const gw = (await gateway()).answer(created());
    await fs.mkdir(stateDir, { mode: 0o755 });
    await fs.chmod(stateDir, 0o755);
    await expect(register(options(gw))).rejects.toThrow(`chmod 700 ${stateDir}`);
    await fs.chmod(stateDir, 0o700);

    const badName = await failure(register(options(gw, { name: 'bad name!' })));
    expect(badName.message).toMatch(/request is invalid \(name: must be 1-63 characters/);
    const badServer = await failure(register(options(gw, { servers: [{ name: 'a' }, { name: 'a' }] })));
    expect(badServer.message).toMatch(/server names must be unique/);

    const twoLines = `${TOKEN}\nmore`;
    const badToken = await failure(register(options(gw, { token: twoLines })));
    expect(badToken.message).toMatch(/token contains spaces, line breaks/);
    expect(badToken.message).not.toContain(TOKEN);

    expect(gw.received).toHaveLength(0);
  });
});

describe('TLS', () => {
  let tls: { key: string; cert: string; certFile: string };

  beforeAll(() => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'register-tls-'));
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

  test('https with a self-signed certificate works when its CA file is given', async () => {
    const gw = (await gateway(tls)).answer(created());
    const state = await register(options(gw, { caFile: tls.certFile }));
    expect(gw.url).toMatch(/^https:/);
    expect(state.identity.agentId).toBe('agt_3k9');
  });

  test('without the CA file the certificate is refused at once, with --ca-file as the fix', async () => {
    const gw = (await gateway(tls)).answer(created());
    const err = await failure(register(options(gw, { retryBudgetMs: 60_000 })));
    expect(err.code).toBe('tls_error');
    expect(err.message).toMatch(/SELF_SIGNED|self.signed/i);
    expect(err.message).toContain('--ca-file');
    expect(gw.received).toHaveLength(0);
  });

  test('an unreadable or non-PEM CA file is reported before any request', async () => {
    const gw = (await gateway(tls)).answer(created());
    await expect(register(options(gw, { caFile: path.join(root, 'missing.pem') }))).rejects.toThrow(/cannot read the CA file .*ENOENT/);
    const notPem = path.join(root, 'not.pem');
    await fs.writeFile(notPem, 'hello');
    await expect(register(options(gw, { caFile: notPem }))).rejects.toThrow(/holds no PEM certificate/);
    expect(gw.received).toHaveLength(0);
  });
});
