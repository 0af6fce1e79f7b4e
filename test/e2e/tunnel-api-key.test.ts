import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeWithNetns } from '../support/netns';
import { TunnelTestbed, type Registration } from './support/tunnel';

// A daemon that requires an API key of its clients (security.apiKeyFile) still serves the
// gateway through the tunnel: the gateway authenticates its own clients and keeps their
// Authorization header to itself, and WireGuard lets only the gateway in, so the local key is
// not asked of tunnel traffic (it was, and every request through the gateway got 401).

describeWithNetns('an agent started with an API key', () => {
  let testbed: TunnelTestbed;
  let registration: Registration;

  beforeAll(async () => {
    testbed = await TunnelTestbed.create();
    await testbed.startGateway();
    registration = await testbed.registerAgent();
  }, 120_000);

  afterAll(async () => {
    await testbed?.destroy();
  }, 120_000);

  it('answers through the gateway and the tunnel without the key', async () => {
    const keyFile = path.join(path.dirname(registration.stateDir), 'agent-api-key');
    writeFileSync(keyFile, 'a-local-clients-key-0123456789abcdef\n');
    chmodSync(keyFile, 0o600);
    await testbed.startAgent({ stateDir: registration.stateDir, extraArgs: ['--api-key-file', keyFile] });
    expect(await testbed.waitForEcho(registration.agentId, 'a call through the tunnel to an agent with an API key')).toContain('Echo:');
  }, 120_000);
});
