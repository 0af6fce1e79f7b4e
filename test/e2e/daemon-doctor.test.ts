import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { AgentStateStore, generateKeyPair } from '@mcp-workstation/tunnel';
import { runCli } from './support';
import { makeWorkspace, type Workspace } from './daemon-support';

// `mcp-workstation doctor`: each prerequisite with its state and the fix, exit 1 on a failure.

let workspace: Workspace;
let gateway: Server | null = null;
beforeEach(() => {
  workspace = makeWorkspace();
});
afterEach(async () => {
  if (gateway) await new Promise<void>((resolve) => gateway?.close(() => resolve()));
  gateway = null;
  workspace.remove();
});

describe('mcp-workstation doctor', () => {
  it('names what fails with its fix: a missing program, an open state directory; and warns about a short service PATH', async () => {
    const bin = path.join(workspace.dir, 'bin');
    mkdirSync(bin);
    workspace.write('bin/my-mcp-server', '#!/bin/sh\n', 0o755);
    const stateDir = path.join(workspace.dir, 'state');
    mkdirSync(stateDir, { mode: 0o755 });
    const config = workspace.write('config.yaml', 'servers:\n  present:\n    command: my-mcp-server\n  missing:\n    command: no-such-mcp-server\n');
    const result = await runCli(['doctor', '--config', config, '--state-dir', stateDir, '--admin', workspace.admin], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ok {2}  config: /m);
    expect(result.stdout).toMatch(/^warn {2}server present: command: [^\n]*my-mcp-server, but not on the PATH a service manager gives by default/m);
    expect(result.stdout).toMatch(/^FAIL {2}server missing: command: no-such-mcp-server is not on PATH[^\n]*\n {6}fix: install it/m);
    expect(result.stdout).toMatch(new RegExp(`^FAIL {2}state directory: ${stateDir} is open to other users[^\\n]*\\n {6}fix: chmod 700 ${stateDir}`, 'm'));
    expect(result.stdout).toMatch(/^info {2}daemon: none answers at /m);
    // The state directory cannot be used: not read for a registration (said once, above).
    expect(result.stdout).not.toContain('registration:');
    expect(result.stdout).not.toMatch(/^warn  config: the state directory/m);
    expect(result.stdout).toContain('checks failed: see the fixes above.');
  });

  it('checks the gateway of a registration and the clock against its Date header', async () => {
    gateway = createServer((_req, res) => {
      // Ten minutes behind this machine.
      res.writeHead(404, { Date: new Date(Date.now() - 600_000).toUTCString() }).end();
    });
    await new Promise<void>((resolve) => gateway?.listen(0, '127.0.0.1', () => resolve()));
    const gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    const stateDir = path.join(workspace.dir, 'state');
    await new AgentStateStore(stateDir).saveRegistration({
      identity: { agentId: 'agt_doctor', agentSecret: `mwsec_${'d'.repeat(40)}`, gatewayUrl, controlUrl: `${gatewayUrl.replace('http', 'ws')}/agent/control`, registeredAt: new Date().toISOString() },
      tunnel: { address: '100.96.0.9/32', mtu: 1420, listenPort: 8000, peer: { publicKey: generateKeyPair().publicKey, endpoint: '127.0.0.1:51820', allowedIps: ['100.96.0.1/32'], persistentKeepalive: 25 } },
      keyPair: generateKeyPair(),
    });
    const result = await runCli(['doctor', '--state-dir', stateDir, '--admin', workspace.admin, '--wg-interface', 'mcpwdoc0', '--json']);
    const checks = JSON.parse(result.stdout) as Array<{ name: string; state: string; detail: string; fix?: string }>;
    const byName = (name: string) => checks.filter((check) => check.name === name);
    expect(byName('registration')[0]).toMatchObject({ state: 'ok', detail: `agent agt_doctor with ${gatewayUrl}` });
    expect(byName('state directory')[0]).toMatchObject({ state: 'ok' });
    expect(byName('gateway')[0]).toMatchObject({ state: 'ok', detail: `${gatewayUrl} answers (HTTP 404)` });
    expect(byName('clock')[0]).toMatchObject({ state: 'fail', detail: expect.stringMatching(/^\d+ s ahead of the gateway's$/) });
    expect(byName('clock')[0].fix).toContain('time synchronisation');
    expect(checks.some((check) => check.name.startsWith('WireGuard'))).toBe(true);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('mwsec_');
  });
});
