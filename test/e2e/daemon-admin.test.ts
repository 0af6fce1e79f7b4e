import { statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import parsePrometheus from 'parse-prometheus-text-format';
import { cleanUp, connectClient, rawRequest, resultText, runCli, startDaemon, waitFor } from './support';
import { adminGet, adminStatus, everythingServerYaml, makeWorkspace, serverComponent, waitForStatus, writeGatedServer, type Workspace } from './daemon-support';

// The admin listener (/healthz, /readyz, /status, /metrics) and `mcp-workstation status`.

let workspace: Workspace;
beforeEach(() => {
  workspace = makeWorkspace();
});
afterEach(async () => {
  await cleanUp();
  workspace.remove();
});

function gatedConfig(gate: string): string {
  const fixture = writeGatedServer(workspace);
  return [
    'listen:',
    '  port: 0',
    'servers:',
    '  gated:',
    `    command: ${JSON.stringify(process.execPath)}`,
    `    args: [${JSON.stringify(fixture)}]`,
    `    env: { GATE_FILE: ${JSON.stringify(gate)} }`,
    '',
  ].join('\n');
}

describe('the admin listener', () => {
  it('is not ready until every server is, then is: /readyz and `status` follow the transition', async () => {
    const gate = path.join(workspace.dir, 'open');
    const config = workspace.write('config.yaml', gatedConfig(gate));
    await startDaemon(['up', '--config', config, '--admin', workspace.admin]);
    expect(statSync(workspace.admin).mode & 0o777).toBe(0o600);

    expect((await adminGet(workspace.admin, '/healthz')).status).toBe(200);
    const notReady = await adminGet(workspace.admin, '/readyz');
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.text)).toMatchObject({ ready: false, status: 'starting' });
    const waiting = await runCli(['status', '--admin', workspace.admin]);
    expect(waiting.code).toBe(1);
    expect(waiting.stdout).toMatch(/not ready \(starting\)/);
    expect(waiting.stdout).toMatch(/server gated\s+starting/);
    expect(waiting.stdout).toMatch(/tunnel\s+stopped\s+not registered[^\n]*\(not required\)/);

    writeFileSync(gate, '');
    await waitFor(async () => (await adminGet(workspace.admin, '/readyz')).status === 200, { what: '/readyz to answer 200 once the gate opened', timeoutMs: 20_000 });
    const ready = await runCli(['status', '--admin', workspace.admin]);
    expect(ready.code).toBe(0);
    expect(ready.stdout).toMatch(/: ready\n/);
    expect(ready.stdout).toMatch(/server gated\s+ready/);
    expect(ready.stdout).toMatch(/bridge\s+ready\s+listening on http:\/\/127\.0\.0\.1:\d+/);
    const json = await runCli(['status', '--admin', workspace.admin, '--json']);
    expect(json.code).toBe(0);
    const status = JSON.parse(json.stdout);
    expect(status).toMatchObject({ ready: true, status: 'ready', versions: { node: process.version } });
    expect(status.components.map((component: { name: string }) => component.name)).toEqual(['server gated', 'bridge', 'tunnel']);
    expect(typeof status.uptimeSeconds).toBe('number');
  });

  it('`status` exits 1 while a server keeps failing, saying why, and the failure is in the last errors', async () => {
    const broken = workspace.write('broken.js', "process.stderr.write('cannot start: no credentials\\n');\nprocess.exit(3);\n", 0o644);
    const config = workspace.write(
      'config.yaml',
      [
        'listen:',
        '  port: 0',
        'servers:',
        '  broken:',
        `    command: ${JSON.stringify(process.execPath)}`,
        `    args: [${JSON.stringify(broken)}]`,
        '    restart: { initialDelayMs: 50, maxDelayMs: 100, failedAfterExits: 2, failedRetryDelayMs: 60000 }',
        '',
      ].join('\n'),
    );
    await startDaemon(['up', '--config', config, '--admin', workspace.admin]);
    await waitForStatus(workspace.admin, (status) => serverComponent(status, 'broken')?.state === 'failed', 'the broken server to be failed');
    const result = await runCli(['status', '--admin', workspace.admin]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/server broken\s+failed/);
    expect(result.stdout).toContain('Not ready because:');
    const status = await adminStatus(workspace.admin);
    expect(serverComponent(status, 'broken')?.details).toMatchObject({ restarts: expect.any(Number) });
    expect(status.lastErrors.length).toBeGreaterThan(0);
  });

  it('`status` exits 3 when no daemon answers, and says where it asked', async () => {
    const result = await runCli(['status', '--admin', workspace.admin]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`no daemon answers at ${workspace.admin}`);
    const tcp = await runCli(['status', '--admin', '127.0.0.1:1']);
    expect(tcp.code).toBe(3);
    expect(tcp.stderr).toContain('nothing listens there');
  });

  it('serves /metrics in Prometheus text format: requests and latency per server, restarts, sessions, readiness', async () => {
    const config = workspace.write('config.yaml', ['listen:', '  port: 0', 'servers:', everythingServerYaml('everything'), ''].join('\n'));
    const daemon = await startDaemon(['up', '--config', config, '--admin', workspace.admin]);
    const client = await connectClient('streamableHttp', `${daemon.origin}/servers/everything/mcp`);
    expect(resultText(await client.client.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toBe('Echo: hi');
    await client.client.listTools();

    const before = await adminStatus(workspace.admin);
    const pid = serverComponent(before, 'everything')?.details?.pid as number;
    process.kill(pid, 'SIGKILL');
    await waitForStatus(workspace.admin, (status) => (serverComponent(status, 'everything')?.details?.restarts as number) >= 1 && status.ready, 'the killed child to be restarted');

    const answer = await adminGet(workspace.admin, '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toContain('text/plain');
    const families = new Map(parsePrometheus(answer.text).map((family) => [family.name, family]));
    const sample = (name: string, labels: Record<string, string>) => families.get(name)?.metrics.find((metric) => Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value));

    expect(families.get('mcp_workstation_requests_total')?.type).toBe('COUNTER');
    expect(Number(sample('mcp_workstation_requests_total', { server: 'everything', method: 'tools/call', outcome: 'ok' })?.value)).toBe(1);
    expect(Number(sample('mcp_workstation_requests_total', { server: 'everything', method: 'tools/list', outcome: 'ok' })?.value)).toBeGreaterThanOrEqual(1);
    expect(families.get('mcp_workstation_request_duration_seconds')?.type).toBe('HISTOGRAM');
    // The parser folds labelled histograms into one sample: read this series' count from its line.
    expect(answer.text).toContain('mcp_workstation_request_duration_seconds_count{server="everything",method="tools/call",outcome="ok"} 1\n');
    expect(Number(sample('mcp_workstation_server_restarts_total', { server: 'everything' })?.value)).toBe(1);
    expect(Number(sample('mcp_workstation_sessions', { server: 'everything' })?.value)).toBe(1);
    expect(Number(sample('mcp_workstation_requests_in_flight', { server: 'everything' })?.value)).toBe(0);
    expect(Number(sample('mcp_workstation_server_ready', { server: 'everything' })?.value)).toBe(1);
    expect(Number(families.get('mcp_workstation_ready')?.metrics[0]?.value)).toBe(1);
    expect(families.get('mcp_workstation_process_resident_memory_bytes')).toBeDefined();
    // Not registered: the tunnel's metrics are declared but have no series.
    for (const name of ['mcp_workstation_tunnel_up', 'mcp_workstation_tunnel_handshake_age_seconds', 'mcp_workstation_tunnel_rx_bytes_total', 'mcp_workstation_tunnel_tx_bytes_total']) {
      expect(families.get(name)?.metrics ?? []).toEqual([]);
    }
  });

  it('refuses a request whose Host is not this machine (DNS rebinding), on a TCP admin address', async () => {
    const daemon = await startDaemon(['up', '--port', '0', '--admin', '127.0.0.1:0']);
    const line = await daemon.waitForOutput(/admin: (http:\/\/127\.0\.0\.1:\d+)/);
    const origin = line[1];
    expect((await rawRequest(`${origin}/healthz`)).status).toBe(200);
    const forged = await rawRequest(`${origin}/status`, { headers: { host: 'evil.example' } });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('DNS-rebinding');
  });
});
