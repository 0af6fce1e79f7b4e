import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TunnelBlock } from '@mcp-workstation/protocol';
import { AgentStateStore, newestKeyPair, type Registration } from './agent-state.js';
import { StateError, generateKeyPair } from '@mcp-workstation/wireguard';

let root: string;
let dir: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'agent-state-'));
  dir = path.join(root, 'mcp-workstation');
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const gatewayKey = generateKeyPair().publicKey;

function tunnelBlock(address = '100.96.0.7/32'): TunnelBlock {
  return {
    address,
    mtu: 1420,
    listenPort: 8000,
    peer: { publicKey: gatewayKey, endpoint: 'gw.example.com:51820', allowedIps: ['100.96.0.1/32'], persistentKeepalive: 25 },
  };
}

function registration(agentId = 'agt_one'): Registration {
  return {
    identity: {
      agentId,
      agentSecret: `secret-of-${agentId}-`.padEnd(48, 'x'),
      name: 'alice-laptop',
      gatewayUrl: 'https://gw.example.com/',
      controlUrl: `wss://gw.example.com/v1/agents/${agentId}/control`,
      registeredAt: '2026-01-02T03:04:05.000Z',
    },
    tunnel: tunnelBlock(),
    keyPair: generateKeyPair(),
  };
}

const modeOf = async (p: string): Promise<number> => (await fs.stat(p)).mode & 0o777;
const fileText = (name: string): Promise<string> => fs.readFile(path.join(dir, name), 'utf8');
async function everyFileText(): Promise<string> {
  const names = await fs.readdir(dir);
  return (await Promise.all(names.map(fileText))).join('\n');
}

describe('load', () => {
  test('null when there is no state directory or no registration in it', async () => {
    expect(await new AgentStateStore(dir).load()).toBeNull();
    await fs.mkdir(dir, { mode: 0o700 });
    expect(await new AgentStateStore(dir).load()).toBeNull();
  });

  test('refuses a loose state directory with the fix and does not change it', async () => {
    await fs.mkdir(dir, { mode: 0o755 });
    await fs.chmod(dir, 0o755);
    await expect(new AgentStateStore(dir).load()).rejects.toThrow(`chmod 700 ${dir}`);
    expect(await modeOf(dir)).toBe(0o755);
  });
});

describe('saveRegistration', () => {
  test('saves identity, tunnel and keys as 0600 files in a 0700 directory, and loads them back', async () => {
    const reg = registration();
    const saved = await new AgentStateStore(dir).saveRegistration(reg);
    expect(await modeOf(dir)).toBe(0o700);
    expect((await fs.readdir(dir)).sort()).toEqual(['identity.json', 'keys.json', 'tunnel.json']);
    for (const name of await fs.readdir(dir)) expect(await modeOf(path.join(dir, name))).toBe(0o600);

    const loaded = await new AgentStateStore(dir).load();
    expect(loaded).toEqual(saved);
    expect(loaded).toEqual({ identity: reg.identity, tunnel: reg.tunnel, keys: { current: reg.keyPair, pending: null } });
    // Only the private key is stored; the public one is derived.
    expect(await fileText('keys.json')).not.toContain(reg.keyPair.publicKey);
    expect(await fileText('tunnel.json')).not.toContain(reg.identity.agentSecret);
  });

  test('a new registration replaces the previous identity entirely', async () => {
    const store = new AgentStateStore(dir);
    const first = registration('agt_first');
    await store.saveRegistration(first);
    const rotation = await store.addPendingKey();
    const second = registration('agt_second');
    await store.saveRegistration(second);

    expect(await store.load()).toEqual({ identity: second.identity, tunnel: second.tunnel, keys: { current: second.keyPair, pending: null } });
    const everything = await everyFileText();
    for (const gone of [first.identity.agentSecret, first.keyPair.privateKey, rotation.privateKey, 'agt_first']) {
      expect(everything).not.toContain(gone);
    }
  });
});

describe('state files that cannot be used', () => {
  const store = (): AgentStateStore => new AgentStateStore(dir);

  test('a corrupt identity.json is reported with the fix and left untouched', async () => {
    await store().saveRegistration(registration());
    await fs.writeFile(path.join(dir, 'identity.json'), '{"format":1,"agentId":', { mode: 0o600 });
    const error = await store().load().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StateError);
    expect((error as Error).message).toContain(`${path.join(dir, 'identity.json')}: it is corrupt (not JSON`);
    expect((error as Error).message).toContain('register again');
    expect(await fileText('identity.json')).toBe('{"format":1,"agentId":');
  });

  test('a schema-invalid keys.json names the field', async () => {
    await store().saveRegistration(registration());
    const keys = JSON.parse(await fileText('keys.json'));
    keys.current.privateKey = 'not-a-key';
    await fs.writeFile(path.join(dir, 'keys.json'), JSON.stringify(keys), { mode: 0o600 });
    await expect(store().load()).rejects.toThrow(/keys\.json: it is corrupt \(current\.privateKey: must be a WireGuard key/);
  });

  test('a keys.json with loose permissions is refused with chmod 600', async () => {
    await store().saveRegistration(registration());
    await fs.chmod(path.join(dir, 'keys.json'), 0o644);
    await expect(store().load()).rejects.toThrow(`chmod 600 ${path.join(dir, 'keys.json')}`);
    expect(await modeOf(path.join(dir, 'keys.json'))).toBe(0o644);
  });

  test('files of two registrations (one interrupted) are not mixed', async () => {
    await store().saveRegistration(registration('agt_old'));
    const other = JSON.parse(await fileText('tunnel.json'));
    other.agentId = 'agt_new';
    await fs.writeFile(path.join(dir, 'tunnel.json'), JSON.stringify(other), { mode: 0o600 });
    await expect(store().load()).rejects.toThrow(/tunnel\.json: it belongs to agent agt_new but identity\.json to agt_old/);
  });

  test('a missing keys.json beside identity.json is reported', async () => {
    await store().saveRegistration(registration());
    await fs.rm(path.join(dir, 'keys.json'));
    await expect(store().load()).rejects.toThrow(/keys\.json: it is missing although identity\.json exists\. Fix: register again/);
  });

  test('a half-written temporary file left by a crash is ignored and cleaned up', async () => {
    const reg = registration();
    await store().saveRegistration(reg);
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.once('exit', resolve));
    const leftover = `.identity.json.${child.pid}.00ff00ff00ff.tmp`;
    await fs.writeFile(path.join(dir, leftover), '{"format":1,"agentId":"agt_h', { mode: 0o600 });

    expect((await store().load())?.identity).toEqual(reg.identity);
    expect(await fs.readdir(dir)).not.toContain(leftover);
  });
});

describe('saveTunnel', () => {
  test('writes only when the block differs', async () => {
    const store = new AgentStateStore(dir);
    await store.saveRegistration(registration());
    const before = await fs.stat(path.join(dir, 'tunnel.json'));

    const sameReordered = { peer: { ...tunnelBlock().peer }, listenPort: 8000, mtu: 1420, address: '100.96.0.7/32' };
    expect(await store.saveTunnel(sameReordered)).toBe(false);
    expect((await fs.stat(path.join(dir, 'tunnel.json'))).ino).toBe(before.ino);

    const moved = { ...tunnelBlock('100.96.0.9/32'), mtu: 1380 };
    expect(await store.saveTunnel(moved)).toBe(true);
    expect((await new AgentStateStore(dir).load())?.tunnel).toEqual(moved);
    expect(await modeOf(path.join(dir, 'tunnel.json'))).toBe(0o600);
  });

  test('refuses an invalid block and an unregistered agent', async () => {
    const store = new AgentStateStore(dir);
    await expect(store.saveTunnel(tunnelBlock())).rejects.toThrow(/not registered.*Fix: register it first/);
    await store.saveRegistration(registration());
    await expect(store.saveTunnel({ ...tunnelBlock(), mtu: 10 })).rejects.toThrow(/mtu/);
  });
});

describe('key rotation (protocol.md §2 Keys)', () => {
  test('pending key beside the current one; promoted and the old key deleted only when the gateway confirms it', async () => {
    const store = new AgentStateStore(dir);
    const reg = registration();
    await store.saveRegistration(reg);

    const pending = await store.addPendingKey();
    expect(pending.privateKey).not.toBe(reg.keyPair.privateKey);
    expect(await store.addPendingKey()).toEqual(pending); // a second rotate gets the same unconfirmed key
    const reloaded = await new AgentStateStore(dir).load(); // survives a restart
    expect(reloaded?.keys).toEqual({ current: reg.keyPair, pending });
    expect(newestKeyPair(reloaded!.keys)).toEqual(pending);

    expect(await store.confirmKey(reg.keyPair.publicKey)).toBe('current'); // gateway has not installed it yet
    expect(await store.confirmKey(generateKeyPair().publicKey)).toBe('unknown');
    expect((await store.load())?.keys).toEqual({ current: reg.keyPair, pending });

    expect(await store.confirmKey(pending.publicKey)).toBe('promoted');
    const after = await store.load();
    expect(after?.keys).toEqual({ current: pending, pending: null });
    expect(await fileText('keys.json')).not.toContain(reg.keyPair.privateKey);
    expect(await store.confirmKey(pending.publicKey)).toBe('current');
    expect(await modeOf(path.join(dir, 'keys.json'))).toBe(0o600);
  });

  test('operations issued together are applied one after another', async () => {
    const store = new AgentStateStore(dir);
    await store.saveRegistration(registration());
    const [pending, changed] = await Promise.all([store.addPendingKey(), store.saveTunnel(tunnelBlock('100.96.0.8/32'))]);
    const state = await store.load();
    expect(changed).toBe(true);
    expect(state?.keys.pending).toEqual(pending);
    expect(state?.tunnel.address).toBe('100.96.0.8/32');
  });
});

describe('forgetSecrets (revoke)', () => {
  test('deletes the agentSecret and every key, keeps a note of why', async () => {
    const now = new Date('2026-03-04T05:06:07.000Z');
    const store = new AgentStateStore(dir, { now: () => now });
    const reg = registration();
    await store.saveRegistration(reg);
    const pending = await store.addPendingKey();

    await store.forgetSecrets('operator revoked this laptop');
    expect(await fs.readdir(dir)).toEqual(['revoked.json']);
    expect(await modeOf(path.join(dir, 'revoked.json'))).toBe(0o600);
    const everything = await everyFileText();
    for (const secret of [reg.identity.agentSecret, reg.keyPair.privateKey, pending.privateKey]) expect(everything).not.toContain(secret);

    expect(await store.load()).toBeNull();
    expect(await new AgentStateStore(dir).readRevocation()).toEqual({
      agentId: 'agt_one',
      gatewayUrl: 'https://gw.example.com/',
      reason: 'operator revoked this laptop',
      revokedAt: '2026-03-04T05:06:07.000Z',
    });
  });

  test('a revocation interrupted before deleting everything is finished by the next load', async () => {
    const store = new AgentStateStore(dir);
    const reg = registration();
    await store.saveRegistration(reg);
    const note = { format: 1, agentId: 'agt_one', gatewayUrl: null, reason: 'revoked', revokedAt: '2026-03-04T05:06:07Z' };
    await fs.writeFile(path.join(dir, 'revoked.json'), JSON.stringify(note), { mode: 0o600 });

    expect(await store.load()).toBeNull();
    expect(await fs.readdir(dir)).toEqual(['revoked.json']);
  });

  test('works on corrupt state too, and a new registration clears the note', async () => {
    const store = new AgentStateStore(dir);
    await store.saveRegistration(registration());
    await fs.writeFile(path.join(dir, 'identity.json'), 'garbage', { mode: 0o600 });
    await store.forgetSecrets('revoked');
    expect(await fs.readdir(dir)).toEqual(['revoked.json']);
    expect((await store.readRevocation())?.agentId).toBeNull();

    const fresh = registration('agt_fresh');
    await store.saveRegistration(fresh);
    expect(await store.readRevocation()).toBeNull();
    expect((await store.load())?.identity.agentId).toBe('agt_fresh');
  });
});
