import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cleanUp, connectClient, resultText, startDaemon } from './support';
import { makeWorkspace, writeGatedServer, type Workspace } from './daemon-support';

// `up --foreground` (the default on a terminal; forced here, the tests' stderr is a pipe):
// component states as they change; with --log-level debug, one line per MCP request.

let workspace: Workspace;
beforeEach(() => {
  workspace = makeWorkspace();
});
afterEach(async () => {
  await cleanUp();
  workspace.remove();
});

function config(gate: string): string {
  const fixture = writeGatedServer(workspace);
  return ['listen:', '  port: 0', `admin: ${workspace.admin}`, 'servers:', '  gated:', `    command: ${JSON.stringify(process.execPath)}`, `    args: [${JSON.stringify(fixture)}]`, `    env: { GATE_FILE: ${JSON.stringify(gate)} }`, ''].join('\n');
}

describe('mcp-workstation up --foreground', () => {
  it('shows component states as they change and each MCP request in one line', async () => {
    const gate = path.join(workspace.dir, 'open');
    const daemon = await startDaemon(['up', '--foreground', '--log-level', 'debug', '--log-format', 'pretty', '--config', workspace.write('config.yaml', config(gate))]);
    await daemon.waitForOutput(/server gated: (stopped -> )?starting \(/);
    writeFileSync(gate, '');
    await daemon.waitForOutput(/server gated: starting -> ready \(/);
    await daemon.waitForOutput(/ready: every required component is ready/);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    expect(resultText(await client.client.callTool({ name: 'hello', arguments: {} }))).toBe('hello from the fixture');
    const line = await daemon.waitForOutput(/debug\S* \[gated\] tools\/call on gated: ok in \d+ ms/);
    expect(line[0]).not.toContain('{');
    expect(daemon.stderrText()).toMatch(/initialize on gated: ok in \d+ ms/);
  });

  it('without it (not a terminal, a service): no state lines; at debug, each request is one JSON record', async () => {
    const daemon = await startDaemon(['up', '--log-level', 'debug', '--config', workspace.write('config.yaml', config(workspace.write('open', '')))]);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    await client.client.callTool({ name: 'hello', arguments: {} });
    const [line] = await daemon.waitForOutput(/\{[^\n]*"message":"tools\/call on gated: ok in \d+ ms"[^\n]*\}/);
    expect(JSON.parse(line)).toMatchObject({ level: 'debug', server: 'gated', method: 'tools/call', outcome: 'ok', durationMs: expect.any(Number) });
    await daemon.stop('SIGTERM');
    expect(daemon.stderrText()).not.toMatch(/server gated: [a-z]+ -> ready/);
  });
});
