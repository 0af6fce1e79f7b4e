import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeWithNetns } from '../support/netns';
import { resultText, type ConnectedClient } from './support/clients';
import type { Daemon } from './support/daemon';
import { everythingServerArgv } from './support/paths';
import { TunnelTestbed, type Registration } from './support/tunnel';
import { waitFor } from './support/wait';
import { adminStatus, waitForStatus } from './daemon-support';

// SIGHUP on a registered agent, for real (gateway and agent in two network namespaces): a
// server added to the config is served through the gateway, a removed one is gone, and the
// tunnel (its wireguard-go, its control channel) and the sessions of the unchanged server stay.

function configYaml(admin: string, servers: string[]): string {
  const [command, ...args] = everythingServerArgv();
  const entries = servers.map((name) => [`  ${name}:`, `    command: ${JSON.stringify(command)}`, `    args: ${JSON.stringify(args)}`].join('\n'));
  return ['logFormat: json', `admin: ${admin}`, 'servers:', ...entries, ''].join('\n');
}

describeWithNetns('SIGHUP on a registered agent', () => {
  let testbed: TunnelTestbed;
  let registration: Registration;
  let agent: Daemon;
  let configFile: string;
  let admin: string;

  beforeAll(async () => {
    testbed = await TunnelTestbed.create();
    await testbed.startGateway();
    registration = await testbed.registerAgent();
    admin = path.join(testbed.dir, 'admin.sock');
    configFile = path.join(testbed.dir, 'config.yaml');
    await writeFile(configFile, configYaml(admin, ['alpha']), { mode: 0o600 });
    // No command after --: the config file's servers are served.
    agent = await testbed.startAgent({ stateDir: registration.stateDir, serverArgv: [], extraArgs: ['--config', configFile] });
  }, 120_000);

  afterAll(async () => {
    await testbed?.destroy();
  }, 120_000);

  async function echoThroughGateway(server: string, client?: ConnectedClient): Promise<string> {
    const connected = client ?? (await testbed.connect(registration.agentId, server));
    return resultText(await connected.client.callTool({ name: 'echo', arguments: { message: server } }, undefined, { timeout: 10_000 }));
  }

  it('adds and removes servers without dropping the tunnel or the unchanged server\'s session', async () => {
    await waitForStatus(admin, (status) => status.ready, 'the agent to be ready (tunnel included)', 60_000);
    const alpha = await waitFor(async () => {
      const client = await testbed.connect(registration.agentId, 'alpha');
      return (await echoThroughGateway('alpha', client)) === 'Echo: alpha' && client;
    }, { what: 'alpha through the gateway', timeoutMs: 60_000, intervalMs: 500 });
    const wireguardGo = testbed.wireguardGoPids(testbed.interfaceOf(agent));
    expect(wireguardGo).toHaveLength(1);
    const controlLines = () => agent.stderrText().match(/connected to the gateway/g)?.length ?? 0;
    const connectedBefore = controlLines();

    await writeFile(configFile, configYaml(admin, ['alpha', 'beta']));
    agent.child.kill('SIGHUP');
    await agent.waitForOutput(/configuration reloaded: added beta; unchanged alpha/);
    expect(await waitFor(async () => (await echoThroughGateway('beta').catch(() => '')) === 'Echo: beta', { what: 'beta through the gateway', timeoutMs: 30_000, intervalMs: 500 })).toBe(true);
    await waitFor(async () => {
      const row = await testbed.agentRow(registration.agentId);
      return row?.servers.map((server) => server.name).sort().join(',') === 'alpha,beta';
    }, { what: 'the gateway to list alpha and beta', timeoutMs: 30_000 });

    await writeFile(configFile, configYaml(admin, ['alpha']));
    agent.child.kill('SIGHUP');
    await agent.waitForOutput(/configuration reloaded: removed beta; unchanged alpha/);
    await waitFor(async () => {
      const row = await testbed.agentRow(registration.agentId);
      return row?.servers.map((server) => server.name).join(',') === 'alpha';
    }, { what: 'the gateway to list only alpha', timeoutMs: 30_000 });

    // The same client session on alpha, through the same tunnel.
    expect(await echoThroughGateway('alpha', alpha)).toBe('Echo: alpha');
    expect(testbed.wireguardGoPids(testbed.interfaceOf(agent))).toEqual(wireguardGo);
    expect(controlLines()).toBe(connectedBefore);
    const status = await adminStatus(admin);
    expect(status.components.find((component) => component.name === 'tunnel')).toMatchObject({ state: 'ready', required: true });
    expect(status.ready).toBe(true);
  });
});
