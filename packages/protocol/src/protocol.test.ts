import { generateKeyPairSync } from 'node:crypto';
import {
  agentNameFromHostname,
  fullJitterDelay,
  isCidr,
  isEndpoint,
  parseAgentFrame,
  parseGatewayFrame,
  parseRegisterRequest,
  parseRegisterResponse,
  splitEndpoint,
  Timing,
} from './index';

/** A real Curve25519 public key in wg(8)'s format. */
function wgKey(): string {
  const { publicKey } = generateKeyPairSync('x25519');
  const jwk = publicKey.export({ format: 'jwk' }) as { x: string };
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

const tunnel = () => ({
  address: '100.96.0.7/32',
  mtu: 1420,
  listenPort: 8000,
  peer: { publicKey: wgKey(), endpoint: 'gw.example.com:51820', allowedIps: ['100.96.0.1/32'], persistentKeepalive: 25 },
});

describe('registration', () => {
  const request = () => ({ name: 'alice-laptop', publicKey: wgKey(), agentVersion: '0.1.0', platform: 'linux-x64', servers: [{ name: 'aws' }] });

  it('accepts the request of protocol.md and ignores unknown fields', () => {
    const parsed = parseRegisterRequest({ ...request(), futureField: 1 });
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && 'futureField' in parsed.value).toBe(false);
  });

  it.each([
    [{ publicKey: 'short' }, 'publicKey'],
    [{ name: 'has space' }, 'name'],
    [{ servers: [{ name: 'AWS' }] }, 'servers.0.name'],
    [{ servers: [{ name: 'aws' }, { name: 'aws' }] }, 'servers: server names must be unique'],
    [{ agentVersion: 'latest' }, 'agentVersion'],
  ])('names the bad field in %j', (patch, field) => {
    const parsed = parseRegisterRequest({ ...request(), ...patch });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain(field);
  });

  it('accepts a 201 body and rejects a short secret', () => {
    const body = { agentId: 'agt_1', agentSecret: 'x'.repeat(43), tunnel: tunnel(), controlUrl: 'wss://gw/v1/agents/agt_1/control' };
    expect(parseRegisterResponse(body).ok).toBe(true);
    const bad = parseRegisterResponse({ ...body, agentSecret: 'short' });
    expect(!bad.ok && bad.reason).toContain('agentSecret');
  });

  it('rejects a key of the right length that is not 32 bytes', () => {
    const notAKey = 'A'.repeat(42) + 'B='; // 44 characters, but its last 2 bits would spill past 32 bytes
    expect(parseRegisterRequest({ ...request(), publicKey: notAKey }).ok).toBe(false);
  });
});

describe('control frames', () => {
  it('reads every gateway frame', () => {
    expect(parseGatewayFrame(JSON.stringify({ type: 'welcome', agentPublicKey: wgKey(), tunnel: tunnel() })).ok).toBe(true);
    expect(parseGatewayFrame(JSON.stringify({ type: 'config', agentPublicKey: wgKey(), tunnel: tunnel() })).ok).toBe(true);
    expect(parseGatewayFrame('{"type":"rotate"}').ok).toBe(true);
    expect(parseGatewayFrame('{"type":"revoke","reason":"laptop lost"}').ok).toBe(true);
  });

  it('reads every agent frame', () => {
    const hello = { type: 'hello', agentVersion: '0.1.0', publicKey: wgKey(), servers: [{ name: 'aws', state: 'ready' }], tunnel: { address: '100.96.0.7/32' } };
    const status = {
      type: 'status',
      servers: [{ name: 'aws', state: 'backoff', restarts: 2, lastError: 'exited 1', credentials: { state: 'expired', since: '2026-11-25T01:00:00Z' } }],
      tunnel: { lastHandshakeAt: null, rxBytes: 0, txBytes: 10 },
    };
    for (const frame of [hello, status, { type: 'rotated', publicKey: wgKey() }, { type: 'bye', reason: 'shutdown' }]) {
      expect(parseAgentFrame(JSON.stringify(frame))).toMatchObject({ ok: true });
    }
  });

  it('reports an unknown type so it can be logged and ignored', () => {
    expect(parseGatewayFrame('{"type":"party","x":1}')).toEqual({ ok: 'unknown', type: 'party' });
  });

  it.each(['not json', '[]', '{"no":"type"}', '{"type":"welcome"}', 'null'])('rejects %s with a reason and never throws', (text) => {
    const reading = parseGatewayFrame(text);
    expect(reading.ok).toBe(false);
    expect(reading.ok === false && reading.reason.length).toBeGreaterThan(0);
  });

  it('rejects a status with a time that is not UTC', () => {
    const status = { type: 'status', servers: [], tunnel: { lastHandshakeAt: '2026-11-25T01:00:00+01:00', rxBytes: 0, txBytes: 0 } };
    const reading = parseAgentFrame(JSON.stringify(status));
    expect(reading.ok === false && reading.reason).toContain('tunnel.lastHandshakeAt');
  });
});

describe('primitives', () => {
  it('knows endpoints', () => {
    expect(isEndpoint('gw.example.com:51820')).toBe(true);
    expect(isEndpoint('[fd00::1]:51820')).toBe(true);
    expect(isEndpoint('fd00::1:51820')).toBe(false);
    expect(isEndpoint('gw:0')).toBe(false);
    expect(splitEndpoint('[fd00::1]:51820')).toEqual({ host: 'fd00::1', port: 51820 });
  });

  it('knows prefixes', () => {
    expect(isCidr('100.96.0.7/32')).toBe(true);
    expect(isCidr('fd00::/64')).toBe(true);
    expect(isCidr('100.96.0.7/33')).toBe(false);
    expect(isCidr('100.96.0.7')).toBe(false);
  });

  it('derives the agent name from the host name', () => {
    expect(agentNameFromHostname('Alice’s MacBook Pro.local')).toBe('Alice-s-MacBook-Pro.local');
    expect(agentNameFromHostname('x'.repeat(80))).toHaveLength(63);
  });

  it('keeps the full-jitter backoff under the cap', () => {
    expect(fullJitterDelay(0, () => 0.999)).toBeLessThan(Timing.reconnectBaseMs);
    expect(fullJitterDelay(20, () => 0.999)).toBeLessThanOrEqual(Timing.reconnectCapMs);
    expect(fullJitterDelay(3, () => 0.5)).toBe(4_000);
  });
});
