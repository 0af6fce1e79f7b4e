import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describeWithNetns } from '../support/netns';
import { resultText } from './support/clients';
import type { Daemon } from './support/daemon';
import { ADDRESS_POOL, LARGE_RESULT_SERVER, TunnelTestbed, outputMark, waitForOutputAfter, type Registration } from './support/tunnel';
import { waitFor } from './support/wait';

// The data plane for real: an SDK client in this process → the gateway's public endpoint (in
// namespace G) → WireGuard over a veth → `mcp-workstation up` (in namespace A) → the bridge →
// server-everything over stdio. Registration included, through the agent's own command line.

const { largeText } = require('../fixtures/large-text.js') as { largeText: (bytes: number) => string };

const TUNNEL_LISTEN_PORT = 8000; // the gateway's default agent port

describeWithNetns('the tunnel end to end: register, up, MCP through the gateway', () => {
  let testbed: TunnelTestbed;
  let registration: Registration;
  let agent: Daemon;
  /** The agent's tunnel address, without prefix. */
  let agentAddress: string;

  beforeAll(async () => {
    testbed = await TunnelTestbed.create();
    await testbed.startGateway();
    registration = await testbed.registerAgent();
    agent = await testbed.startAgent({ stateDir: registration.stateDir });
    const tunnel = await testbed.readStateFile(registration.stateDir, 'tunnel.json');
    agentAddress = String((tunnel.tunnel as { address: string }).address).split('/')[0]!;
  }, 120_000);

  afterAll(async () => {
    await testbed?.destroy();
  }, 120_000);

  it('registers with a token file and says where the state is, never printing the token or the secret', async () => {
    const { result, stateDir, agentId, tokenFile } = registration;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`agentId:        ${agentId}`);
    expect(result.stdout).toMatch(/tunnel address: 203\.0\.113\.\d+\/32/);
    expect(result.stdout).toContain(`state saved in: ${stateDir}`);
    const token = readFileSync(tokenFile, 'utf8').trim();
    const identity = await testbed.readStateFile(stateDir, 'identity.json');
    for (const secret of [token, String(identity.agentSecret)]) {
      expect(result.stdout + result.stderr).not.toContain(secret);
      expect(agent.output()).not.toContain(secret);
    }
    expect(agentAddress.startsWith(ADDRESS_POOL.split('.0/')[0]!)).toBe(true);
  });

  it('answers tools/call echo from server-everything through the gateway and the tunnel', async () => {
    await testbed.waitForEcho(registration.agentId, 'first call');
    const client = await testbed.connect(registration.agentId);
    expect(client.initializeResult.serverInfo.name).toBe('mcp-servers/everything');
    const result = await client.client.callTool({ name: 'echo', arguments: { message: 'through the tunnel' } });
    expect(resultText(result)).toBe('Echo: through the tunnel');
    const row = await waitFor(async () => {
      const found = await testbed.agentRow(registration.agentId);
      return found?.connected && found.lastHandshakeAt !== null && found.servers.some((s) => s.state === 'ready') && found;
    }, { what: 'the gateway to list the agent as connected with its server ready', timeoutMs: 30_000 });
    expect(row.servers).toEqual([{ name: 'default', state: 'ready' }]);
    expect(row.address).toBe(agentAddress);
    await agent.waitForOutput(/tunnel ready: agent agt_\w+ connected to the gateway/, 30_000);
  }, 90_000);

  it('streams progress notifications back through the tunnel while the call runs', async () => {
    const client = await testbed.connect(registration.agentId);
    const progress: number[] = [];
    const result = await client.client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 2, steps: 4 } },
      undefined,
      { onprogress: (update) => progress.push(update.progress) },
    );
    expect(resultText(result)).toContain('Long running operation completed');
    expect(client.progressReceived.map((update) => update.progress)).toEqual([1, 2, 3, 4]);
    expect(client.progressReceived.every((update) => update.total === 4)).toBe(true);
    expect(progress.length).toBeGreaterThanOrEqual(3); // the SDK Client's own handler saw them too
  }, 60_000);

  it('closes a connection to the tunnel listener that comes from outside allowedIps, and serves the gateway', async () => {
    // From the gateway's namespace the source is its tunnel address, inside allowedIps: served (an HTTP answer).
    const fromGateway = await testbed.tcpProbe(testbed.gatewayNamespace, { host: agentAddress, port: TUNNEL_LISTEN_PORT, message: 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' });
    expect(fromGateway.outcome).toBe('reply');
    expect(fromGateway.reply).toMatch(/^HTTP\/1\.1 /);
    // From the agent's own namespace, bound to its underlay address (outside allowedIps): closed unanswered.
    // (From the gateway's underlay address the packet would not even arrive: WireGuard drops a
    // decrypted packet whose source is outside the peer's allowed IPs.)
    const outsider = testbed.net.addressA;
    const fromOutside = await testbed.tcpProbe(testbed.agentNamespace, {
      host: agentAddress,
      port: TUNNEL_LISTEN_PORT,
      localAddress: outsider,
      message: 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
    });
    expect(fromOutside).toEqual({ outcome: 'closed', bytes: 0 });
    await agent.waitForOutput(new RegExp(`refused a tunnel connection from outside the gateway addresses[^\\n]*${outsider.replace(/\./g, '\\.')}`));
  });

  it('refuses a registration token that was used already (409), with a clear message and a non-zero exit', async () => {
    const stateDir = path.join(testbed.dir, 'second-agent');
    const again = await testbed.register(registration.tokenFile, stateDir);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/mcp-workstation: error: registration failed: the gateway answered 409 token_used/);
    expect(again.stderr).toContain('single use');
    expect(again.stderr).not.toMatch(/\n\s+at /); // a sentence, not a stack
    expect(again.stderr).not.toContain(readFileSync(registration.tokenFile, 'utf8').trim());
    expect(again.stdout).toBe('');
    expect(existsSync(path.join(stateDir, 'identity.json'))).toBe(false);
    // The agent that holds the registration is undisturbed.
    await testbed.waitForEcho(registration.agentId, 'after the refused registration');
  }, 60_000);

  it('carries a 5 MB tool result intact', async () => {
    // server-everything has no tool with a large result: the same identity now serves a fixture.
    // Stopping the agent says bye to the gateway and takes its interface down.
    const gatewayMark = outputMark(testbed.requireGateway());
    await testbed.stopAgent(agent);
    await waitForOutputAfter(testbed.requireGateway(), gatewayMark, new RegExp(`agent ${registration.agentId} says bye \\(shutdown\\)`), 10_000);
    expect(await testbed.interfaceExists(testbed.agentNamespace, testbed.interfaceOf(agent))).toBe(false);
    agent = await testbed.startAgent({ stateDir: registration.stateDir, serverArgv: [process.execPath, LARGE_RESULT_SERVER] });
    await testbed.waitForEcho(registration.agentId, 'the fixture server');
    const client = await testbed.connect(registration.agentId);
    const bytes = 5 * 1024 * 1024;
    const result = await client.client.callTool({ name: 'large-result', arguments: { bytes } }, undefined, { timeout: 60_000 });
    const text = resultText(result);
    expect(text.length).toBe(bytes);
    expect(text === largeText(bytes)).toBe(true); // not toEqual: a 5 MB diff helps nobody
  }, 120_000);
});
