import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { DaemonConfig } from '../config/types';
import { localUserChecks } from '../doctor/local-user-checks';
import { ensureLocalApiKey, LocalUserGate, type LocalUserRefusal } from './local-users';
import { isLoopbackAddress, socketOwner } from './socket-owner';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const row = (local: string, remote: string, uid: number) => `   7: ${local} ${remote} 01 00000000:00000000 00:00000000 00000000 ${String(uid).padStart(5)}        0 4242 1 0000000000000000 20 4 30 10 -1\n`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcpw-proc-net-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ends = (remoteAddress: string, remotePort: number, localAddress: string, localPort: number) => ({ remoteAddress, remotePort, localAddress, localPort });

describe('socketOwner', () => {
  it("reads the uid of the client's entry: local = our remote end, remote = our local end", async () => {
    // 127.0.0.1:54321 -> 127.0.0.1:8000, as a little-endian kernel prints it; our own accepted socket is listed too.
    writeFileSync(join(dir, 'tcp'), HEADER + row('0100007F:1F40', '0100007F:D431', 0) + row('0100007F:D431', '0100007F:1F40', 65534));
    writeFileSync(join(dir, 'tcp6'), HEADER);
    expect(await socketOwner(ends('127.0.0.1', 54321, '127.0.0.1', 8000), { platform: 'linux', procNetDir: dir })).toEqual({ kind: 'uid', uid: 65534 });
    // A dual-stack listener sees the IPv4 client as ::ffff:127.0.0.1.
    expect(await socketOwner(ends('::ffff:127.0.0.1', 54321, '::ffff:127.0.0.1', 8000), { platform: 'linux', procNetDir: dir })).toEqual({ kind: 'uid', uid: 65534 });
  });

  it('finds IPv6 clients in tcp6 (::1, and IPv4-mapped sockets)', async () => {
    writeFileSync(join(dir, 'tcp'), HEADER);
    writeFileSync(
      join(dir, 'tcp6'),
      HEADER.replace('local_address', 'local_address                        ') +
        row('00000000000000000000000001000000:D431', '00000000000000000000000001000000:1F40', 1000) +
        row('0000000000000000FFFF00000100007F:D432', '0000000000000000FFFF00000100007F:1F40', 1001),
    );
    expect(await socketOwner(ends('::1', 54321, '::1', 8000), { platform: 'linux', procNetDir: dir })).toEqual({ kind: 'uid', uid: 1000 });
    expect(await socketOwner(ends('::ffff:127.0.0.1', 54322, '127.0.0.1', 8000), { platform: 'linux', procNetDir: dir })).toEqual({ kind: 'uid', uid: 1001 });
  });

  it('says not-found for a loopback client in no table, remote for one on another machine, unknown where nothing can be read', async () => {
    writeFileSync(join(dir, 'tcp'), HEADER);
    writeFileSync(join(dir, 'tcp6'), HEADER);
    expect(await socketOwner(ends('127.0.0.1', 1, '127.0.0.1', 8000), { platform: 'linux', procNetDir: dir })).toEqual({ kind: 'not-found' });
    expect(await socketOwner(ends('192.0.2.7', 1, '192.0.2.1', 8000), { platform: 'linux', procNetDir: dir })).toEqual({ kind: 'remote' });
    expect(await socketOwner(ends('127.0.0.1', 1, '127.0.0.1', 8000), { platform: 'linux', procNetDir: join(dir, 'missing') })).toMatchObject({ kind: 'unknown' });
    expect(await socketOwner(ends('127.0.0.1', 1, '127.0.0.1', 8000), { platform: 'darwin', procNetDir: dir })).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('darwin') });
    expect(await socketOwner({}, { platform: 'linux', procNetDir: dir })).toMatchObject({ kind: 'unknown' });
  });

  it('knows the loopback addresses', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(address)).toBe(true);
    for (const address of ['10.0.0.1', '::', '::2', 'fe80::1', '::ffff:10.0.0.1']) expect(isLoopbackAddress(address)).toBe(false);
  });
});

describe('socketOwner on this machine', () => {
  let server: Server;
  const sockets: Socket[] = [];
  afterEach(async () => {
    sockets.splice(0).forEach((socket) => socket.destroy());
    await new Promise((resolve) => server?.close(resolve));
  });

  it.each(['127.0.0.1', '::1'])('names our own uid for a real connection over %s', async (host) => {
    if (process.platform !== 'linux') return expect(process.platform).not.toBe('linux');
    const accepted = new Promise<Socket>((resolve) => {
      server = createServer((socket) => {
        sockets.push(socket);
        resolve(socket);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    const port = (server.address() as { port: number }).port;
    sockets.push(connect(port, host));
    expect(await socketOwner(await accepted)).toEqual({ kind: 'uid', uid: process.getuid!() });
  });
});

describe('LocalUserGate', () => {
  const KEY = 'the-local-key';
  const gateFor = (uid: number, options: { key?: boolean } = {}) => {
    writeFileSync(join(dir, 'tcp'), HEADER + row('0100007F:D431', '0100007F:1F40', uid));
    writeFileSync(join(dir, 'tcp6'), HEADER);
    return new LocalUserGate({
      ownUid: 1000,
      ownUser: 'alice',
      apiKey: options.key === false ? undefined : { key: KEY, where: 'in /home/alice/.local/state/mcp-workstation/api-key' },
      openPaths: ['/health'],
      owner: { platform: 'linux', procNetDir: dir },
    });
  };
  const request = (socket: object, authorization?: string) => ({ socket, headers: authorization === undefined ? {} : { authorization } }) as unknown as IncomingMessage;
  const loopbackSocket = () => ends('127.0.0.1', 54321, '127.0.0.1', 8000);

  it("passes the daemon's user and root, refuses others with 403 naming the uid, the user and the key's file", async () => {
    expect(await gateFor(1000).check(request(loopbackSocket()), '/mcp')).toBeNull();
    expect(await gateFor(0).check(request(loopbackSocket()), '/mcp')).toBeNull();
    const refusal = (await gateFor(65534).check(request(loopbackSocket()), '/mcp')) as LocalUserRefusal;
    expect(refusal.status).toBe(403);
    expect(refusal.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
    expect(refusal.body.error.message).toMatch(/opened by uid 65534.*only alice \(uid 1000\) and root.*run the client as alice.*api-key/);
  });

  it('lets another user in with the API key, and only with the right one', async () => {
    const gate = gateFor(65534);
    const socket = loopbackSocket();
    expect(await gate.check(request(socket, `Bearer ${KEY}`), '/mcp')).toBeNull();
    expect(await gate.check(request(socket, 'Bearer wrong'), '/mcp')).toMatchObject({ status: 403 });
    expect(((await gate.check(request(socket, 'Bearer wrong'), '/mcp')) as LocalUserRefusal).body.error.message).toContain('not this daemon');
    const noKey = (await gateFor(65534, { key: false }).check(request(loopbackSocket(), `Bearer ${KEY}`), '/mcp')) as LocalUserRefusal;
    expect(noKey.body.error.message).toContain('security.apiKeyFile');
  });

  it('looks a connection up once: after the first request the verdict is at hand, synchronously', async () => {
    const gate = gateFor(65534);
    const socket = loopbackSocket();
    gate.observe(socket);
    await gate.check(request(socket), '/mcp');
    // The table changes (the uid now says "alice"), but this connection's verdict stays.
    writeFileSync(join(dir, 'tcp'), HEADER + row('0100007F:D431', '0100007F:1F40', 1000));
    const second = gate.check(request(socket), '/mcp');
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toMatchObject({ status: 403 });
  });

  it('leaves open the health paths, and sockets with no address (the tunnel\'s userspace sockets) or from another machine', async () => {
    const gate = gateFor(65534);
    expect(gate.check(request(loopbackSocket()), '/healthz')).toBeNull();
    expect(gate.check(request(loopbackSocket()), '/readyz')).toBeNull();
    expect(gate.check(request(loopbackSocket()), '/health')).toBeNull();
    expect(await gate.check(request(new PassThrough()), '/mcp')).toBeNull();
    expect(await gate.check(request(ends('192.0.2.7', 40000, '192.0.2.1', 8000)), '/mcp')).toBeNull();
  });
});

describe('ensureLocalApiKey', () => {
  it('makes a private key at first start and keeps it; two starts at once agree', async () => {
    const stateDir = join(dir, 'state');
    const [a, b] = await Promise.all([ensureLocalApiKey(stateDir), ensureLocalApiKey(stateDir)]);
    expect(a.key).toBe(b.key);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
    expect(a.key).toMatch(/^mcpw_[A-Za-z0-9_-]{43}$/);
    expect(statSync(a.file).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(readFileSync(a.file, 'utf8').trim()).toBe(a.key);
    expect(await ensureLocalApiKey(stateDir)).toEqual({ key: a.key, file: a.file, created: false });
  });

  it('refuses a key file other users can read, naming the fix', async () => {
    const stateDir = join(dir, 'state');
    const { file } = await ensureLocalApiKey(stateDir);
    require('node:fs').chmodSync(file, 0o644);
    await expect(ensureLocalApiKey(stateDir)).rejects.toThrow(`chmod 600 ${file}`);
  });
});

describe('doctor: local users', () => {
  const config = (host = '127.0.0.1', apiKeyFile: string | null = null) =>
    ({ listen: { host, port: 8000 }, stateDir: '/home/alice/.local/state/mcp-workstation', security: { apiKeyFile } }) as unknown as DaemonConfig;

  it('says who may connect where Linux tells, and warns with the fix where it cannot', async () => {
    writeFileSync(join(dir, 'tcp'), HEADER);
    const linux = await localUserChecks(config(), {}, { platform: 'linux', procNetDir: dir });
    expect(linux).toEqual([expect.objectContaining({ name: 'local users', state: 'ok', detail: expect.stringContaining('/home/alice/.local/state/mcp-workstation/api-key') })]);
    const mac = await localUserChecks(config(), {}, { platform: 'darwin' });
    expect(mac).toEqual([expect.objectContaining({ state: 'warn', detail: expect.stringContaining('any local user can use your servers'), fix: expect.stringContaining('--api-key-file /home/alice/.local/state/mcp-workstation/api-key') })]);
    const container = await localUserChecks(config(), {}, { platform: 'linux', procNetDir: join(dir, 'none') });
    expect(container[0]).toMatchObject({ state: 'warn', detail: expect.stringContaining('cannot be read') });
  });

  it('warns about a listener other machines reach, and is content when a key is required anyway', async () => {
    writeFileSync(join(dir, 'tcp'), HEADER);
    const wide = await localUserChecks(config('0.0.0.0'), {}, { platform: 'linux', procNetDir: dir });
    expect(wide[1]).toMatchObject({ state: 'warn', detail: expect.stringContaining('0.0.0.0') });
    expect(await localUserChecks(config('0.0.0.0', '/etc/key'), {}, { platform: 'darwin' })).toEqual([expect.objectContaining({ state: 'ok' })]);
    expect(await localUserChecks(config(), { MCP_WORKSTATION_API_KEY: 'k' }, { platform: 'darwin' })).toEqual([expect.objectContaining({ state: 'ok' })]);
  });
});
