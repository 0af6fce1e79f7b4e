import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseRegisterResponse } from '@mcp-workstation/protocol';
import { newAgentKey, register, registrationBody, startTestGateway, type TestGateway } from '../test-support/gateway-harness.js';
import { makeTempDir, removeDir } from '../test-support/temp-dir.js';
import { TokenStore } from '../store/token-store.js';

describe('POST /v1/agents/register (protocol.md §1)', () => {
  let dir: string;
  let harness: TestGateway | undefined;

  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await harness?.gateway.close();
    harness = undefined;
    await removeDir(dir);
  });

  async function start(options = {}) {
    harness = await startTestGateway(dir, options);
    return harness;
  }

  it('answers 201 with a valid registration and installs the agent as a WireGuard peer', async () => {
    const gw = await start();
    const key = newAgentKey();
    const answer = await register(gw.url, await gw.createToken(), registrationBody(key.publicKey));

    expect(answer.status).toBe(201);
    const parsed = parseRegisterResponse(answer.json);
    expect(parsed.ok).toBe(true);
    const body = answer.json;
    expect(body.agentId).toMatch(/^agt_[0-9a-f]{20}$/);
    expect(Buffer.from(body.agentSecret.replace(/^mwsec_/, ''), 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(body.tunnel).toEqual({
      address: '100.96.0.2/32',
      mtu: 1420,
      listenPort: 8000,
      peer: { publicKey: gw.gateway.publicKey, endpoint: 'gw.test:51820', allowedIps: ['100.96.0.1/32'], persistentKeepalive: 25 },
    });
    expect(body.controlUrl).toBe(`${gw.url.replace('http:', 'ws:')}/v1/agents/${body.agentId}/control`);
    expect(gw.wireguard.peers.get(key.publicKey)).toEqual({ publicKey: key.publicKey, address: '100.96.0.2' });
  });

  it('derives controlUrl from --public-url when one is given', async () => {
    const gw = await start({ publicUrl: 'https://gw.example.com/base/' });
    const answer = await register(gw.url, await gw.createToken(), registrationBody(newAgentKey().publicKey));
    expect(answer.json.controlUrl).toBe(`wss://gw.example.com/base/v1/agents/${answer.json.agentId}/control`);
  });

  it('hands out the next free address to each agent', async () => {
    const gw = await start();
    const first = await register(gw.url, await gw.createToken(), registrationBody(newAgentKey().publicKey));
    const second = await register(gw.url, await gw.createToken(), registrationBody(newAgentKey().publicKey));
    expect([first.json.tunnel.address, second.json.tunnel.address]).toEqual(['100.96.0.2/32', '100.96.0.3/32']);
  });

  describe('401 invalid_token', () => {
    it('refuses a request without a token', async () => {
      const gw = await start();
      const answer = await register(gw.url, null, registrationBody(newAgentKey().publicKey));
      expect(answer.status).toBe(401);
      expect(answer.json.error.code).toBe('invalid_token');
    });

    it('refuses an unknown token', async () => {
      const gw = await start();
      const answer = await register(gw.url, 'mwreg_not-a-token-this-gateway-made', registrationBody(newAgentKey().publicKey));
      expect(answer.status).toBe(401);
      expect(answer.json.error.code).toBe('invalid_token');
    });

    it('refuses an expired token', async () => {
      const gw = await start();
      const past = new TokenStore(dir, () => new Date(Date.now() - 2 * 3_600_000));
      const { token } = await past.create(3_600_000); // made two hours ago, valid for one
      const answer = await register(gw.url, token, registrationBody(newAgentKey().publicKey));
      expect(answer.status).toBe(401);
      expect(answer.json.error.code).toBe('invalid_token');
    });

    it('checks the token before the body', async () => {
      const gw = await start();
      const answer = await register(gw.url, 'mwreg_wrong', 'this is not JSON', 'text/plain');
      expect(answer.status).toBe(401);
    });
  });

  describe('409 token_used: a token is single use and only a 201 uses it up', () => {
    it('refuses a second registration with the same token', async () => {
      const gw = await start();
      const token = await gw.createToken();
      expect((await register(gw.url, token, registrationBody(newAgentKey().publicKey))).status).toBe(201);
      const again = await register(gw.url, token, registrationBody(newAgentKey().publicKey));
      expect(again.status).toBe(409);
      expect(again.json.error.code).toBe('token_used');
    });

    it('gives exactly one 201 to racing registrations with one token', async () => {
      const gw = await start();
      const token = await gw.createToken();
      const answers = await Promise.all(Array.from({ length: 5 }, () => register(gw.url, token, registrationBody(newAgentKey().publicKey))));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409]);
      expect((await gw.gateway.operations.list()).length).toBe(1);
    });

    it('does not use the token up on a 400', async () => {
      const gw = await start();
      const token = await gw.createToken();
      expect((await register(gw.url, token, { publicKey: 'nope' })).status).toBe(400);
      expect((await register(gw.url, token, registrationBody(newAgentKey().publicKey))).status).toBe(201);
    });
  });

  describe('400 invalid_request names the field', () => {
    const cases: [string, (key: string) => unknown, RegExp][] = [
      ['a bad public key', (key) => registrationBody(key, { publicKey: 'not-a-key' }), /^publicKey:/],
      ['a bad agent name', (key) => registrationBody(key, { name: 'has space' }), /^name:/],
      ['a bad server name', (key) => registrationBody(key, { servers: [{ name: 'UPPER' }] }), /^servers\.0\.name:/],
      ['duplicate server names', (key) => registrationBody(key, { servers: [{ name: 'a' }, { name: 'a' }] }), /^servers:/],
      ['a missing agentVersion', (key) => ({ ...registrationBody(key), agentVersion: undefined }), /^agentVersion:/],
      ['a body that is not JSON', () => '{"publicKey":', /^not JSON/],
    ];
    it.each(cases)('for %s', async (_what, body, reason) => {
      const gw = await start();
      const answer = await register(gw.url, await gw.createToken(), body(newAgentKey().publicKey));
      expect(answer.status).toBe(400);
      expect(answer.json.error.code).toBe('invalid_request');
      expect(answer.json.error.message).toMatch(reason);
    });
  });

  it('answers 409 key_in_use when another agent has the key, and keeps that token usable', async () => {
    const gw = await start();
    const key = newAgentKey();
    expect((await register(gw.url, await gw.createToken(), registrationBody(key.publicKey))).status).toBe(201);
    const token = await gw.createToken();
    const clash = await register(gw.url, token, registrationBody(key.publicKey));
    expect(clash.status).toBe(409);
    expect(clash.json.error.code).toBe('key_in_use');
    expect((await register(gw.url, token, registrationBody(newAgentKey().publicKey))).status).toBe(201);
  });

  it('answers 415 unsupported_media_type for a body that is not application/json', async () => {
    const gw = await start();
    const answer = await register(gw.url, await gw.createToken(), JSON.stringify(registrationBody(newAgentKey().publicKey)), 'text/plain');
    expect(answer.status).toBe(415);
    expect(answer.json.error.code).toBe('unsupported_media_type');
  });

  it('answers 503 unavailable with Retry-After when the address pool is empty', async () => {
    const gw = await start({ addressPool: '100.96.7.0/30' }); // room for the gateway (.1) and one agent (.2)
    expect((await register(gw.url, await gw.createToken(), registrationBody(newAgentKey().publicKey))).status).toBe(201);
    const token = await gw.createToken();
    const full = await register(gw.url, token, registrationBody(newAgentKey().publicKey));
    expect(full.status).toBe(503);
    expect(full.json.error.code).toBe('unavailable');
    expect(Number(full.headers.get('retry-after'))).toBeGreaterThan(0);
    // Revoking the agent frees its address, and the refused token was not used up.
    const [agent] = await gw.gateway.operations.list();
    await gw.gateway.operations.revoke(agent!.id, 'make room');
    expect((await register(gw.url, token, registrationBody(newAgentKey().publicKey))).status).toBe(201);
  });

  it('answers 429 rate_limited with Retry-After past the attempt limit', async () => {
    const gw = await start({ registrationRateLimit: { max: 2, windowMs: 60_000 } });
    expect((await register(gw.url, 'mwreg_x', {})).status).toBe(401);
    expect((await register(gw.url, 'mwreg_x', {})).status).toBe(401);
    const limited = await register(gw.url, await gw.createToken(), registrationBody(newAgentKey().publicKey));
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('keeps only hashes: no token or secret in the state files or the log', async () => {
    const gw = await start();
    const token = await gw.createToken();
    const answer = await register(gw.url, token, registrationBody(newAgentKey().publicKey));
    expect(answer.status).toBe(201);
    const files = await fs.readdir(dir, { recursive: true });
    for (const name of files) {
      const file = path.join(dir, String(name));
      if (!(await fs.stat(file)).isFile()) continue;
      const text = await fs.readFile(file, 'utf8');
      expect(text).not.toContain(token);
      expect(text).not.toContain(answer.json.agentSecret);
    }
    const agents = JSON.parse(await fs.readFile(path.join(dir, 'agents.json'), 'utf8'));
    expect(agents.agents[0].secretHash).toMatch(/^[0-9a-f]{64}$/);
    const logText = gw.logs.join('\n');
    expect(logText).toContain(answer.json.agentId);
    expect(logText).not.toContain(token);
    expect(logText).not.toContain(answer.json.agentSecret);
  });
});
