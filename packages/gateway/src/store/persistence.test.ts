import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ControlClient } from '../test-support/control-client.js';
import { registerAgent, startTestGateway, type TestGateway } from '../test-support/gateway-harness.js';
import { makeTempDir, readTree, removeDir } from '../test-support/temp-dir.js';
import { NoopWireGuard } from '../wireguard/noop-wireguard.js';
import { startGateway } from '../gateway.js';
import { silentLogger } from '../log/logger.js';

describe('the gateway state across restarts', () => {
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

  it('brings every registered agent back as a peer, with the same gateway key and working secrets', async () => {
    harness = await startTestGateway(dir);
    const first = await registerAgent(harness);
    const second = await registerAgent(harness, { name: 'bob' });
    const gatewayKey = harness.gateway.publicKey;
    await harness.gateway.close();

    const wireguard = new NoopWireGuard();
    harness = await startTestGateway(dir, { wireguard });
    expect(harness.gateway.publicKey).toBe(gatewayKey);
    expect(wireguard.config?.peers).toEqual([
      { publicKey: first.key.publicKey, address: '100.96.0.2' },
      { publicKey: second.key.publicKey, address: '100.96.0.3' },
    ]);
    expect(wireguard.config?.privateKey).toBeDefined();

    // The agent reconnects with its old secret (the port changed with the restart) and is welcomed.
    const controlUrl = `${harness.url.replace('http:', 'ws:')}/v1/agents/${first.registration.agentId}/control`;
    const client = await ControlClient.connect(controlUrl, first.registration.agentSecret);
    try {
      client.hello(first.key.publicKey, first.registration.tunnel.address);
      const welcome = await client.next('welcome');
      expect(welcome.agentPublicKey).toBe(first.key.publicKey);
      expect(welcome.tunnel.peer.publicKey).toBe(gatewayKey);
    } finally {
      client.close();
    }
    // A new agent gets the next free address, not one already handed out.
    expect((await registerAgent(harness)).registration.tunnel.address).toBe('100.96.0.4/32');
  });

  it('keeps its files private: directories 0700, files 0600, the admin socket 0600', async () => {
    harness = await startTestGateway(dir);
    await registerAgent(harness);
    expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
    expect((await fs.stat(path.join(dir, 'tokens'))).mode & 0o777).toBe(0o700);
    expect((await fs.stat(path.join(dir, 'admin.sock'))).mode & 0o777).toBe(0o600);
    const files = await readTree(dir);
    expect(files.map((f) => path.relative(dir, f.file)).sort()).toEqual(expect.arrayContaining(['agents.json', 'gateway-key.json']));
    for (const file of files) expect({ file: file.file, mode: file.mode }).toEqual({ file: file.file, mode: 0o600 });
  });

  it('refuses a state directory others can read, naming the fix', async () => {
    await fs.chmod(dir, 0o755);
    await expect(startGateway({ stateDir: dir, listen: '127.0.0.1:0', wireguard: new NoopWireGuard(), logger: silentLogger })).rejects.toThrow(
      `chmod 700 ${dir}`,
    );
  });

  it('refuses a corrupt agents file and leaves it as it is', async () => {
    await fs.writeFile(path.join(dir, 'agents.json'), '{"version":1,"agents":[{"id":1}]}', { mode: 0o600 });
    await expect(startGateway({ stateDir: dir, listen: '127.0.0.1:0', wireguard: new NoopWireGuard(), logger: silentLogger })).rejects.toThrow(
      /agents\.json: it is corrupt \(agents\.0\.id: .*\)\. Fix: restore it from a backup or remove it/,
    );
    expect(await fs.readFile(path.join(dir, 'agents.json'), 'utf8')).toBe('{"version":1,"agents":[{"id":1}]}');
  });

  it('refuses to serve a state directory another gateway is serving', async () => {
    harness = await startTestGateway(dir);
    await expect(startGateway({ stateDir: dir, listen: '127.0.0.1:0', wireguard: new NoopWireGuard(), logger: silentLogger })).rejects.toThrow(
      /another gateway is already serving this state directory/,
    );
    // The first one is undisturbed.
    expect((await registerAgent(harness)).registration.agentId).toMatch(/^agt_/);
  });
});
