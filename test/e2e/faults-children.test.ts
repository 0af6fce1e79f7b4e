import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { adminGet, makeWorkspace, type Workspace } from './daemon-support';
import { FIXTURES, cleanUp, connectClient, isGone, postMcp, resultText, startDaemon, waitFor, withDeadline } from './support';

// Faults of the children themselves (issue 12): a child whose stdout is gone while it lives,
// one that dies before it answers initialize, and processes that try to outlive the daemon
// (SIGKILL of the daemon; helpers that leave the server's process group).

let workspace: Workspace;
beforeEach(() => {
  workspace = makeWorkspace();
});
afterEach(async () => {
  await cleanUp();
  workspace.remove();
});

const fixture = (name: string) => join(FIXTURES, name);

function initializeBody(id: string) {
  return { jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'e2e-faults', version: '1.0.0' } } };
}

/** The JSON-RPC error of an answer (JSON or SSE), or a failure naming what came instead. */
function errorOf(answer: { status: number; text: string; messages: Array<Record<string, unknown>> }): { code: number; message: string } {
  const error = answer.messages[0]?.error as { code: number; message: string } | undefined;
  if (!error) throw new Error(`expected a JSON-RPC error, got HTTP ${answer.status}: ${answer.text}`);
  return error;
}

function isAlive(pid: number): boolean {
  return !isGone(pid);
}

describe('a child that closes its stdout but keeps running', () => {
  it('fails the calls in flight at once naming the server, logs it, says so in /readyz, and restarts the child', async () => {
    const gate = join(workspace.dir, 'gate');
    const daemon = await startDaemon(['up', '--port', '0', '--admin', workspace.admin, '--name', 'mute', '--', process.execPath, fixture('fault-closes-stdout.js'), `--gate=${gate}`]);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    const firstPid = Number(resultText(await client.client.callTool({ name: 'pid', arguments: {} })));

    const settle = (call: Promise<unknown>) => call.then(() => new Error('the call succeeded'), (error: unknown) => error);
    const hanging = settle(client.client.callTool({ name: 'hang', arguments: {} }, undefined, { timeout: 120_000 }));
    const closing = settle(client.client.callTool({ name: 'close-stdout', arguments: {} }, undefined, { timeout: 120_000 }));
    const errors = await withDeadline(Promise.all([hanging, closing]), 5_000, 'the calls in flight to fail after the child closed its stdout');
    for (const error of errors) {
      expect(error).toBeInstanceOf(McpError);
      expect((error as McpError).message).toMatch(/MCP server "mute"/);
      expect((error as McpError).message).toMatch(/closed its stdout/);
    }
    await daemon.waitForOutput(/Server \\"mute\\" closed its stdout while still running/);
    // The old process is stopped (it would never have exited by itself) and a new one starts.
    await waitFor(() => !isAlive(firstPid), { what: `the silent child ${firstPid} to be stopped`, timeoutMs: 10_000 });

    // The new child waits at the gate: not ready, and /readyz says so.
    await waitFor(() => existsSync(`${gate}.started`), { what: 'the restarted child' });
    const readyz = await adminGet(workspace.admin, '/readyz');
    expect(readyz.status).toBe(503);

    writeFileSync(gate, '');
    await waitFor(async () => (await adminGet(workspace.admin, '/readyz')).status === 200, { what: '/readyz to answer 200 again', timeoutMs: 20_000 });
    const answer = await client.client.callTool({ name: 'echo', arguments: { text: 'after the restart' } }, undefined, { timeout: 20_000 });
    expect(resultText(answer)).toBe('after the restart');
    const secondPid = Number(resultText(await client.client.callTool({ name: 'pid', arguments: {} })));
    expect(secondPid).not.toBe(firstPid);
  });
});

describe('a child that dies before it answers initialize', () => {
  it('answers a new request at once with the error it already has: the server, the exit code, its stderr', async () => {
    const daemon = await startDaemon(['up', '--port', '0', '--name', 'dying', '--', process.execPath, fixture('fault-dies-at-start.js')]);
    await daemon.waitForOutput(/Server \\"dying\\" exited during start/);
    const started = Date.now();
    const answer = await withDeadline(postMcp(daemon.endpoint, initializeBody('first')), 5_000, 'the answer to an initialize while the server cannot start');
    const error = errorOf(answer);
    expect(error.message).toContain('"dying"');
    expect(error.message).toContain('exit code 3');
    expect(error.message).toContain('no credentials for profile "missing"');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers a request queued while it was starting as soon as it died, not after the restart wait', async () => {
    const daemon = await startDaemon(['up', '--port', '0', '--name', 'dying', '--', process.execPath, fixture('fault-dies-at-start.js'), '--after-ms=1500']);
    // Sent while the first child still runs: it waits for that child's initialize.
    const queued = postMcp(daemon.endpoint, initializeBody('queued'));
    const answer = await withDeadline(queued, 6_000, 'the queued initialize to be answered once the child died');
    const error = errorOf(answer);
    expect(error.message).toContain('"dying"');
    expect(error.message).toContain('exit code 3');
    expect(error.message).toContain('no credentials for profile "missing"');
  });
});

describe('kill -9 of the daemon', () => {
  async function servedBy(args: string[]) {
    const daemon = await startDaemon(['up', '--port', '0', '--name', 'leftover', '--', process.execPath, ...args]);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    return { daemon, client };
  }

  it('takes down a child that ignores the end of its stdin, and its grandchild', async () => {
    const { daemon, client } = await servedBy([fixture('fault-ignores-eof.js')]);
    const pids = JSON.parse(resultText(await client.client.callTool({ name: 'pids', arguments: {} }))) as { server: number; grandchild: number };
    expect(isAlive(pids.server) && isAlive(pids.grandchild)).toBe(true);
    await client.close();

    daemon.child.kill('SIGKILL');
    await withDeadline(daemon.exited(), 5_000, 'the daemon to die');
    await waitFor(() => daemon.descendants().length === 0, { what: 'every process the killed daemon started to be gone', timeoutMs: 15_000 });
    expect(isAlive(pids.server) || isAlive(pids.grandchild)).toBe(false);
  });

  it('takes down the grandchild of a child that exits on the end of its stdin', async () => {
    const { daemon, client } = await servedBy([fixture('fault-ignores-eof.js'), '--exit-on-eof']);
    const pids = JSON.parse(resultText(await client.client.callTool({ name: 'pids', arguments: {} }))) as { server: number; grandchild: number };
    await client.close();

    daemon.child.kill('SIGKILL');
    await withDeadline(daemon.exited(), 5_000, 'the daemon to die');
    await waitFor(() => daemon.descendants().length === 0, { what: 'every process the killed daemon started to be gone', timeoutMs: 15_000 });
    expect(isAlive(pids.grandchild)).toBe(false);
  });

  it('takes down helpers that left the server\'s process group too', async () => {
    const { daemon, client } = await servedBy([fixture('fault-setsid-grandchild.js')]);
    const pids = JSON.parse(resultText(await client.client.callTool({ name: 'strays', arguments: {} }))) as { server: number; setsid: number; orphaned: number };
    expect(isAlive(pids.setsid) && isAlive(pids.orphaned)).toBe(true);
    await client.close();

    daemon.child.kill('SIGKILL');
    await withDeadline(daemon.exited(), 5_000, 'the daemon to die');
    await waitFor(() => daemon.descendants().length === 0, { what: 'every process the killed daemon started to be gone', timeoutMs: 15_000 });
  });
});

describe('helpers that left the server\'s process group (setsid)', () => {
  it('are stopped with the daemon on a normal stop', async () => {
    const daemon = await startDaemon(['up', '--port', '0', '--name', 'escapes', '--', process.execPath, fixture('fault-setsid-grandchild.js')]);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    const pids = JSON.parse(resultText(await client.client.callTool({ name: 'strays', arguments: {} }))) as { server: number; setsid: number; orphaned: number };
    expect(isAlive(pids.setsid) && isAlive(pids.orphaned)).toBe(true);
    await client.close();

    expect(await daemon.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    await waitFor(() => !isAlive(pids.setsid) && !isAlive(pids.orphaned), { what: 'the escaped helpers to be gone', timeoutMs: 10_000 });
  });

  it('are stopped when their server dies and is restarted', async () => {
    const daemon = await startDaemon(['up', '--port', '0', '--name', 'escapes', '--', process.execPath, fixture('fault-setsid-grandchild.js')]);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    const pids = JSON.parse(resultText(await client.client.callTool({ name: 'strays', arguments: {} }))) as { server: number; setsid: number; orphaned: number };

    process.kill(pids.server, 'SIGKILL');
    await waitFor(() => !isAlive(pids.setsid) && !isAlive(pids.orphaned), { what: 'the helpers of the killed server to be gone', timeoutMs: 10_000 });
    // The restarted server serves, with helpers of its own.
    const next = await waitFor(
      async () => JSON.parse(resultText(await client.client.callTool({ name: 'strays', arguments: {} }, undefined, { timeout: 20_000 }))) as { server: number },
      { what: 'the restarted server to answer', timeoutMs: 30_000 },
    );
    expect(next.server).not.toBe(pids.server);
    expect(daemon.running).toBe(true);
  });
});
