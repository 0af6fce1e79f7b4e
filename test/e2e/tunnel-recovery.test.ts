import { describeWithNetns } from '../support/netns';
import { resultText } from './support/clients';
import type { Daemon } from './support/daemon';
import { TunnelTestbed, outputMark, waitForOutputAfter, type Registration } from './support/tunnel';
import { waitFor } from './support/wait';

// The tunnel recovering from what happens to it in real life: the gateway restarted, the
// agent's wireguard-go killed, the key rotated, and a rotation cut off half-way. Every
// process is real; every wait is for a condition, with a deadline.

const WIREGUARD_KEY = '[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=';

describeWithNetns('the tunnel recovers: gateway restart, wireguard-go killed, key rotation', () => {
  let testbed: TunnelTestbed;
  let registration: Registration;
  let agent: Daemon;

  beforeAll(async () => {
    testbed = await TunnelTestbed.create();
    await testbed.startGateway();
    registration = await testbed.registerAgent();
    agent = await testbed.startAgent({ stateDir: registration.stateDir });
    await testbed.waitForEcho(registration.agentId, 'the tunnel is up');
  }, 120_000);

  afterAll(async () => {
    await testbed?.destroy();
  }, 120_000);

  async function currentKey(): Promise<string> {
    const row = await testbed.agentRow(registration.agentId);
    if (!row) throw new Error(`the gateway does not list ${registration.agentId}`);
    return row.publicKey;
  }

  it('reconnects after the gateway process restarts, and calls work again without registering again', async () => {
    const identityBefore = await testbed.readStateFile(registration.stateDir, 'identity.json');
    const mark = outputMark(agent);
    await testbed.stopGateway('SIGTERM');
    await waitForOutputAfter(agent, mark, /control channel: the gateway closed the connection with 1001/, 15_000);
    const gateway = await testbed.startGateway();
    await waitFor(async () => (await testbed.agentRow(registration.agentId))?.connected, {
      what: 'the agent to reconnect its control channel to the restarted gateway',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    await testbed.waitForEcho(registration.agentId, 'after the gateway restarted', 60_000);
    expect(await testbed.readStateFile(registration.stateDir, 'identity.json')).toEqual(identityBefore);
    expect(gateway.stderrText()).not.toContain('registered agent');
  }, 150_000);

  it('recovers when the agent\'s wireguard-go is killed: the backend restarts it and calls work again', async () => {
    const interfaceName = testbed.interfaceOf(agent);
    const [before] = testbed.wireguardGoPids(interfaceName);
    expect(before).toBeDefined();
    const mark = outputMark(agent);
    process.kill(before!, 'SIGKILL');
    const after = await waitFor(() => testbed.wireguardGoPids(interfaceName).find((pid) => pid !== before), {
      what: 'a new wireguard-go for the agent interface',
      timeoutMs: 30_000,
    });
    expect(after).not.toBe(before);
    await waitForOutputAfter(agent, mark, /up again after: wireguard-go killed by SIGKILL/);
    await testbed.waitForEcho(registration.agentId, 'after wireguard-go was killed', 60_000);
  }, 120_000);

  it('rotates the WireGuard key on `agents rotate`, with calls before and after on one session', async () => {
    const client = await testbed.connect(registration.agentId);
    expect(resultText(await client.client.callTool({ name: 'echo', arguments: { message: 'before' } }))).toBe('Echo: before');
    const oldKey = await currentKey();
    const mark = outputMark(agent);
    const rotate = await testbed.gatewayCli(['agents', 'rotate', registration.agentId]);
    expect(rotate.code).toBe(0);
    const [, newKey] = await waitForOutputAfter(agent, mark, new RegExp(`the gateway confirmed the rotated key (${WIREGUARD_KEY})`), 30_000);
    expect(newKey).not.toBe(oldKey);
    expect(await currentKey()).toBe(newKey);
    const keys = await testbed.readStateFile(registration.stateDir, 'keys.json');
    expect(keys.pending).toBeNull();
    // The same session goes on (a brief re-handshake is all the rotation costs).
    const after = await waitFor(
      async () => resultText(await client.client.callTool({ name: 'echo', arguments: { message: 'after' } }, undefined, { timeout: 10_000 })),
      { what: 'the session that predates the rotation to answer again', timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(after).toBe('Echo: after');
  }, 120_000);

  it('heals a rotation whose control connection dropped before the gateway confirmed it, on the next hello', async () => {
    await testbed.waitForEcho(registration.agentId, 'before the interrupted rotation');
    const oldKey = await currentKey();
    // Hold the agent, so the rotate waits in its socket; then ask for the rotation and hold the
    // gateway, so the agent's `rotated` waits unread in the gateway's socket.
    const mark = outputMark(agent);
    const gateway = testbed.requireGateway();
    const gatewayMark = outputMark(gateway);
    process.kill(agent.pid, 'SIGSTOP');
    try {
      const rotate = await testbed.gatewayCli(['agents', 'rotate', registration.agentId]);
      expect(rotate.code).toBe(0);
      process.kill(gateway.pid, 'SIGSTOP');
    } finally {
      process.kill(agent.pid, 'SIGCONT');
    }
    let pendingKey: string;
    try {
      [, pendingKey] = (await waitForOutputAfter(agent, mark, new RegExp(`answered rotate with the new key (${WIREGUARD_KEY})`))) as [string, string];
    } catch (error) {
      process.kill(gateway.pid, 'SIGCONT');
      throw error;
    }
    expect((await testbed.readStateFile(registration.stateDir, 'keys.json')).pending).not.toBeNull();
    // The gateway dies between `rotated` and `config`: it never saw the new key.
    await testbed.stopGateway('SIGKILL');
    const killedGatewaySaid = gateway.stderrText().slice(gatewayMark);
    expect(killedGatewaySaid).toContain(`asked agent ${registration.agentId} to rotate`);
    expect(killedGatewaySaid).not.toContain('installed a new WireGuard key');
    await testbed.startGateway();
    // The next hello announces the pending key; the gateway installs it and its welcome confirms it.
    await waitForOutputAfter(agent, mark, new RegExp(`the gateway confirmed the rotated key ${pendingKey.replace(/[+/]/g, '\\$&')}`), 60_000);
    const installed = await waitFor(async () => {
      const row = await testbed.agentRow(registration.agentId);
      return row?.connected && row.publicKey === pendingKey && row;
    }, { what: 'the restarted gateway to install the pending key', timeoutMs: 30_000 });
    expect(installed.publicKey).not.toBe(oldKey);
    expect((await testbed.readStateFile(registration.stateDir, 'keys.json')).pending).toBeNull();
    await testbed.waitForEcho(registration.agentId, 'after the interrupted rotation healed', 60_000);
  }, 180_000);
});
