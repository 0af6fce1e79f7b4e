import { join } from 'node:path';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import {
  FIXTURES,
  cleanUp,
  connectClient,
  everythingChildren,
  everythingServerArgv,
  isGone,
  resultText,
  startDaemon,
  waitFor,
  withDeadline,
} from './support';

// The child's life seen from outside: killed in the middle of a call, restarted; its
// grandchildren reaped when the daemon stops; signals.

afterEach(cleanUp);

describe('a child killed in the middle of a call', () => {
  it('fails the call with a JSON-RPC error naming the server, then serves the next call from a new child', async () => {
    const daemon = await startDaemon(['up', '--port', '0', '--name', 'everything', '--', ...everythingServerArgv()]);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    const [childPid] = await waitFor(() => everythingChildren(daemon.pid).length === 1 && everythingChildren(daemon.pid), {
      what: 'the server child',
    });

    const progress: Progress[] = [];
    const longCall = client.client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 60, steps: 60 } },
      undefined,
      { onprogress: (update) => progress.push(update), timeout: 120_000 },
    );
    const outcome = longCall.then(
      () => new Error('the call succeeded although its child was killed'),
      (err: unknown) => err,
    );
    await waitFor(() => progress.length > 0, { what: 'the long call to be running in the child' });

    process.kill(childPid, 'SIGKILL');
    const error = await withDeadline(outcome, 5_000, 'the in-flight call to fail after the child was killed');
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toEqual(expect.any(Number));
    expect((error as McpError).message).toContain('everything');

    const answer = await client.client.callTool({ name: 'echo', arguments: { message: 'after restart' } }, undefined, { timeout: 45_000 });
    expect(resultText(answer)).toBe('Echo: after restart');
    const [newPid] = everythingChildren(daemon.pid);
    expect(newPid).not.toBe(childPid);
  });
});

describe('stopping the daemon', () => {
  it('reaps the grandchild a server left behind', async () => {
    const daemon = await startDaemon(['up', '--port', '0', '--name', 'fixture', '--', process.execPath, join(FIXTURES, 'grandchild-server.js')]);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    const grandchildPid = Number(resultText(await client.client.callTool({ name: 'grandchild-pid', arguments: {} })));
    expect(grandchildPid).toBeGreaterThan(0);
    expect(isGone(grandchildPid)).toBe(false);
    await client.close();

    const status = await daemon.stop('SIGTERM');
    expect(status).toEqual({ code: 0, signal: null });
    await waitFor(() => isGone(grandchildPid), { what: `the grandchild ${grandchildPid} to be gone` });
  });

  it('exits 0 on SIGINT with every child gone', async () => {
    const daemon = await startDaemon(['up', '--port', '0']);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    expect(resultText(await client.client.callTool({ name: 'echo', arguments: { message: 'x' } }))).toBe('Echo: x');
    const descendants = daemon.descendants();
    expect(descendants.length).toBeGreaterThan(0);
    expect(await daemon.stop('SIGINT')).toEqual({ code: 0, signal: null });
    await waitFor(() => descendants.every(isGone), { what: 'every process the daemon started to be gone' });
  });

  it('forces the exit on a second signal, killing a child that ignores SIGTERM', async () => {
    const daemon = await startDaemon(['up', '--port', '0', '--name', 'stubborn', '--', process.execPath, join(FIXTURES, 'stubborn-server.js')]);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    expect(resultText(await client.client.callTool({ name: 'ping-back', arguments: {} }))).toBe('pong');
    const descendants = daemon.descendants();
    await client.close();

    daemon.child.kill('SIGTERM');
    await daemon.waitForOutput(/send it again to force/);
    daemon.child.kill('SIGTERM');
    const status = await withDeadline(daemon.exited(), 4_000, 'the forced exit');
    expect(status.code).toBe(143);
    await waitFor(() => descendants.every(isGone), { what: 'the stubborn child to be killed' });
  });
});
