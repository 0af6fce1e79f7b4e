import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { REPO_ROOT, cleanUp, connectClient, processesWithEnv, rawRequest, resultText, startDaemon, waitFor, withDeadline } from './support';
import { adminStatus, everythingServerYaml, makeWorkspace, serverComponent, waitForStatus, writeGatedServer, type Workspace } from './daemon-support';

// Signals: SIGTERM lets requests in flight finish; SIGHUP reloads the config without touching
// the servers (and sessions) that did not change; a config that does not load is refused.

let workspace: Workspace;
beforeEach(() => {
  workspace = makeWorkspace();
});
afterEach(async () => {
  await cleanUp();
  workspace.remove();
});

describe('npm start', () => {
  it("stops the daemon and its server when npm's own process is sent SIGTERM (npm forwards it; the script execs the CLI)", async () => {
    // `npm start &` then `kill <npm's pid>`: before the script's `exec`, the shell between npm
    // and the daemon took the signal and the daemon ran on under PID 1, holding its ports.
    const marker = `MCPW_NPM_START_MARKER=${randomUUID()}`;
    const npm = spawn('npm', ['start', '--', '--admin', workspace.admin, '--tunnel', 'false'], {
      cwd: REPO_ROOT,
      env: { ...process.env, MCP_WORKSTATION_PORT: '0', [marker.split('=')[0]]: marker.split('=')[1] },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    npm.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    try {
      await waitFor(() => /MCP endpoint: http:\/\/127\.0\.0\.1:\d+\/mcp/.test(output), { what: 'npm start to print the MCP endpoint', timeoutMs: 20_000 });
      // The daemon and its server (the embedded server-everything), found by the marker they inherit.
      await waitFor(() => processesWithEnv(marker).length >= 3, { what: 'npm, the daemon and its server to run' });
      npm.kill('SIGTERM');
      await waitFor(() => processesWithEnv(marker).length === 0, { what: 'npm, the daemon and its server to be gone', timeoutMs: 20_000 });
      expect(output).toMatch(/SIGTERM received: stopping/);
    } finally {
      for (const pid of processesWithEnv(marker)) process.kill(pid, 'SIGKILL');
    }
  }, 60_000);
});

describe('SIGTERM', () => {
  it('lets a call in flight finish, refuses new ones, then exits 0', async () => {
    const config = workspace.write('config.yaml', ['listen:', '  port: 0', 'servers:', everythingServerYaml('everything'), ''].join('\n'));
    const daemon = await startDaemon(['up', '--config', config, '--admin', workspace.admin]);
    const slow = await connectClient('streamableHttp', daemon.endpoint);
    // A WebSocket stays connected while the daemon stops, so its next request reaches the daemon.
    const other = await connectClient('ws', `${daemon.origin.replace(/^http/, 'ws')}/ws`);
    const call = slow.client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 2, steps: 2 } }, undefined, { timeout: 30_000 });
    await waitForStatus(workspace.admin, (status) => serverComponent(status, 'everything')?.details?.requestsInFlight === 1, 'the slow call to be in flight');

    daemon.child.kill('SIGTERM');
    await daemon.waitForOutput(/waiting up to 10000 ms for 1 request in flight to finish/);
    // Stopping: a new request on an open connection is answered at once with an error, not
    // served; a new connection is not accepted at all.
    const refused = await other.client.callTool({ name: 'echo', arguments: { message: 'late' } }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(McpError);
    expect((refused as McpError).message).toContain('shutting down');
    await expect(rawRequest(`${daemon.origin}/healthz`)).rejects.toThrow(/ECONNREFUSED/);

    const result = await withDeadline(call, 20_000, 'the slow call to finish');
    expect(resultText(result)).toContain('Long running operation completed');
    expect(await withDeadline(daemon.exited(), 20_000, 'the daemon to exit')).toEqual({ code: 0, signal: null });
    const log = daemon.stderrText();
    expect(log.indexOf('every request in flight finished')).toBeGreaterThan(log.indexOf('SIGTERM received'));
    expect(log).toContain('"message":"stopped"');
  });
});

describe('SIGHUP', () => {
  function config(servers: string[]): string {
    const fixture = writeGatedServer(workspace);
    const entry = (name: string) =>
      [`  ${name}:`, `    command: ${JSON.stringify(process.execPath)}`, `    args: [${JSON.stringify(fixture)}]`, `    env: { FIXTURE_NAME: ${name} }`].join('\n');
    return ['listen:', '  port: 0', `admin: ${workspace.admin}`, 'servers:', ...servers.map(entry), ''].join('\n');
  }

  it('adds and removes servers; the unchanged one keeps its child and its sessions', async () => {
    const file = workspace.write('config.yaml', config(['alpha', 'beta']));
    const daemon = await startDaemon(['up', '--config', file]);
    await waitForStatus(workspace.admin, (status) => status.ready, 'the daemon to be ready');
    const alpha = await connectClient('streamableHttp', `${daemon.origin}/servers/alpha/mcp`);
    expect(resultText(await alpha.client.callTool({ name: 'hello', arguments: {} }))).toBe('hello from alpha');
    const alphaPid = serverComponent(await adminStatus(workspace.admin), 'alpha')?.details?.pid;

    workspace.write('config.yaml', config(['alpha', 'gamma']));
    daemon.child.kill('SIGHUP');
    await daemon.waitForOutput(/configuration reloaded: added gamma; removed beta; unchanged alpha/);

    const gamma = await connectClient('streamableHttp', `${daemon.origin}/servers/gamma/mcp`);
    expect(resultText(await gamma.client.callTool({ name: 'hello', arguments: {} }))).toBe('hello from gamma');
    const beta = await rawRequest(`${daemon.origin}/servers/beta/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
    expect(beta.status).toBe(404);
    // The same session, on the same child.
    expect(resultText(await alpha.client.callTool({ name: 'hello', arguments: {} }))).toBe('hello from alpha');
    const after = await waitForStatus(workspace.admin, (status) => status.ready, 'the daemon to be ready again');
    expect(serverComponent(after, 'alpha')?.details?.pid).toBe(alphaPid);
    expect(after.components.map((component) => component.name)).toEqual(['server alpha', 'server gamma', 'bridge', 'tunnel']);
    expect(daemon.running).toBe(true);
  });

  it('refuses a configuration that does not load, and the running one stays', async () => {
    const file = workspace.write('config.yaml', config(['alpha']));
    const daemon = await startDaemon(['up', '--config', file]);
    workspace.write('config.yaml', 'listen:\n  port: 0\nservers:\n  alpha:\n    comand: node\n');
    daemon.child.kill('SIGHUP');
    await daemon.waitForOutput(/the new configuration is refused; the running one stays: invalid configuration[^\n]*servers\.alpha\.comand[^\n]*did you mean/);
    const alpha = await connectClient('streamableHttp', `${daemon.origin}/servers/alpha/mcp`);
    expect(resultText(await alpha.client.callTool({ name: 'hello', arguments: {} }))).toBe('hello from alpha');
    workspace.write('config.yaml', config(['alpha']).replace('FIXTURE_NAME: alpha', 'FIXTURE_NAME: renamed').replace('port: 0', 'port: 12345'));
    daemon.child.kill('SIGHUP');
    await daemon.waitForOutput(/configuration reloaded: restarted alpha \(changed\)/);
    expect(daemon.stderrText()).toContain('changed settings that apply only after a restart (the running values stay until then): listen.port');
    const again = await connectClient('streamableHttp', `${daemon.origin}/servers/alpha/mcp`);
    expect(resultText(await again.client.callTool({ name: 'hello', arguments: {} }))).toBe('hello from renamed');
  });
});
