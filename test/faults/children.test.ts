import { McpError } from '@modelcontextprotocol/sdk/types.js';
import {
  cleanUp,
  connectClient,
  everythingChildren,
  everythingServerArgv,
  isGone,
  resultText,
  startDaemon,
  waitFor,
  withDeadline,
  type ConnectedClient,
  type Daemon,
} from '../e2e/support';
import { SERVER_NAME, adminGet, scratchDir, startFaultServer, type Mode } from './support';

// The fault suite, part 1: what a misbehaving child does to the daemon, against the built CLI
// (`up`, and `bridge` where the case applies). Every case has a deadline and fails when the
// product does not do what docs/reliability.md says. The numbered failures of issue 12 have
// their own suites (see docs/reliability.md); these are the faults that are handled.

afterEach(cleanUp);

const MODES: Mode[] = ['up', 'bridge'];

async function call(client: ConnectedClient, name: string, args: Record<string, unknown> = {}, timeout = 15_000): Promise<string> {
  return resultText(await client.client.callTool({ name, arguments: args }, undefined, { timeout }));
}

async function fixturePid(client: ConnectedClient): Promise<number> {
  return Number(await call(client, 'pid'));
}

interface Report {
  started: Array<string | number>;
  cancelled: Array<{ requestId: string | number; reason?: string }>;
}

async function report(client: ConnectedClient): Promise<Report> {
  return JSON.parse(await call(client, 'report')) as Report;
}

describe.each(MODES)('%s: a child killed in the middle of a call', (mode) => {
  it('answers the call at once with an error naming the server, and the same session works again after the restart', async () => {
    const daemon = await startFaultServer(mode);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    const pid = await fixturePid(client);
    const hanging = client.client.callTool({ name: 'hang', arguments: {} }, undefined, { timeout: 120_000 }).then(
      () => new Error('the call was answered with a result although its child was killed'),
      (err: unknown) => err,
    );
    await waitFor(async () => (await report(client)).started.length === 1, { what: 'the hang call to reach the child' });

    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    const error = await withDeadline(hanging, 2_000, 'the in-flight call to be answered after its child was killed');
    const answeredMs = Date.now() - killedAt;
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).message).toContain(SERVER_NAME[mode]);
    expect(answeredMs).toBeLessThan(2_000);

    // The same session, no reconnect: the restarted child answers.
    const echoed = await withDeadline(call(client, 'echo', { message: 'after the restart' }, 20_000), 20_000, 'the same session to be served by the restarted child');
    expect(echoed).toBe('Echo: after the restart');
    expect(await fixturePid(client)).not.toBe(pid);
  });
});

describe.each(MODES)('%s: a child that crashes during initialize', (mode) => {
  it('fails the request with an error naming the server, the exit code and the last stderr lines', async () => {
    // `up` reads the restart wait from the environment; `bridge` waits the default 30 s
    // (issue 12, item 3, is about that wait: see docs/reliability.md).
    const deadline = mode === 'up' ? 15_000 : 45_000;
    const daemon = await startFaultServer(mode, { env: { FAULT_CRASH_ON_INITIALIZE: '3', MCP_WORKSTATION_RESTART_WAIT_MS: '2000' } });
    const outcome = (async () => {
      const client = await connectClient('streamableHttp', daemon.endpoint);
      await client.client.listTools(undefined, { timeout: 60_000 });
    })().then(
      () => new Error('the server answered although its child exits during initialize'),
      (err: unknown) => err,
    );
    const error = (await withDeadline(outcome, deadline, 'the request to a server that crashes during initialize to fail')) as Error;
    expect(error.message).toContain(`"${SERVER_NAME[mode]}"`);
    expect(error.message).toContain('exit code 3');
    expect(error.message).toContain('credentials are missing (the last words)');
    expect(daemon.running).toBe(true);
  }, 60_000);
});

describe('garbage and huge lines on the child\'s stdout', () => {
  it.each(MODES)('%s: skips and logs them (bounded), and the session goes on', async (mode) => {
    const daemon = await startFaultServer(mode);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    const pid = await fixturePid(client);
    // A 1 MiB junk line (under the 32 MiB message cap) and a 40 MiB one (over it).
    for (const hugeBytes of [1024 * 1024, 40 * 1024 * 1024]) {
      expect(await withDeadline(call(client, 'garbage', { hugeBytes }, 30_000), 30_000, `the garbage call (${hugeBytes} bytes)`)).toBe('garbage done');
      expect(await call(client, 'echo', { message: `after ${hugeBytes}` })).toBe(`Echo: after ${hugeBytes}`);
    }
    await daemon.waitForOutput(/over the limit of 33554432 bytes \(maxMessageBytes\); dropped it/);
    await daemon.waitForOutput(/wrote a stdout line that is [^"]*; skipped it/);
    // Nothing was restarted, and no log line carries a junk line whole.
    expect(await fixturePid(client)).toBe(pid);
    const longest = Math.max(...daemon.stderrText().split('\n').map((line) => line.length));
    expect(longest).toBeLessThan(4_096);
  }, 90_000);
});

describe('a stderr flood from the child', () => {
  it('keeps the daemon responsive while it lasts, logs a bounded burst of it, and accounts for every line', async () => {
    const scratch = scratchDir();
    try {
      const daemon = await startFaultServer('up', { extraArgs: ['--admin', scratch.admin] });
      const flooder = await connectClient('streamableHttp', daemon.endpoint);
      const other = await connectClient('streamableHttp', daemon.endpoint);
      const flood = call(flooder, 'stderr-flood', { lines: 100_000, hugeBytes: 1024 * 1024 }, 120_000);
      let floodDone = false;
      void flood.then(() => (floodDone = true), () => (floodDone = true));
      // While it floods: /healthz and a call from another session answer within their deadlines.
      let rounds = 0;
      while (!floodDone || rounds < 3) {
        const health = await adminGet(scratch.admin, '/healthz', 10_000);
        expect(health.status).toBe(200);
        expect(await withDeadline(call(other, 'echo', { message: `during ${rounds}` }), 10_000, 'a call from another session during the flood')).toBe(`Echo: during ${rounds}`);
        rounds += 1;
      }
      expect(await withDeadline(flood, 60_000, 'the flood to end')).toBe('flood done');
      // At most STDERR_LOG_BURST (1,000) lines per 10 s are logged; the rest are counted and
      // reported when the window ends. Logged + reported = every line the child wrote: the
      // 100,000 lines and the note that replaces the 1 MiB line (a line over 64 KiB is not logged whole).
      const accounted = await waitFor(() => {
        const text = daemon.stderrText();
        const logged = (text.match(/fault fixture stderr flood line \d+/g) ?? []).length + (text.match(/\[a stderr line of 1048576 bytes was omitted\]/g) ?? []).length;
        const reported = [...text.matchAll(new RegExp(`(\\d+) stderr lines of server \\\\?"${SERVER_NAME.up}\\\\?" were not logged`, 'g'))].reduce((sum, match) => sum + Number(match[1]), 0);
        return logged + reported === 100_001 && { logged, reported };
      }, { what: 'every stderr line to be logged or reported as not logged', timeoutMs: 30_000 });
      expect(accounted.logged).toBeGreaterThanOrEqual(1_000);
      expect(accounted.logged).toBeLessThan(20_000);
      const longest = Math.max(...daemon.stderrText().split('\n').map((line) => line.length));
      expect(longest).toBeLessThan(4_096);
      expect(daemon.running).toBe(true);
    } finally {
      scratch.remove();
    }
  }, 120_000);
});

describe.each(MODES)('%s: a tool that never answers, cancelled', (mode) => {
  it('passes notifications/cancelled to the child with the id the child saw, session by session; the session then works', async () => {
    const daemon = await startFaultServer(mode);
    const a = await connectClient('streamableHttp', daemon.endpoint);
    const b = await connectClient('streamableHttp', daemon.endpoint);

    // Twenty calls from A, each cancelled once the child has it.
    for (let i = 0; i < 20; i += 1) {
      const controller = new AbortController();
      const pending = a.client.callTool({ name: 'hang', arguments: {} }, undefined, { signal: controller.signal, timeout: 60_000 }).catch((err: Error) => err);
      const started = await waitFor(async () => {
        const now = await report(a);
        return now.started.length === i + 1 && now;
      }, { what: `hang call ${i + 1} to reach the child` });
      controller.abort('the test cancels');
      await withDeadline(pending, 2_000, 'the cancelled call to reject');
      const childId = started.started[i];
      await waitFor(async () => (await report(a)).cancelled.some((c) => c.requestId === childId), {
        what: `notifications/cancelled for the child's id ${String(childId)}`,
        timeoutMs: 5_000,
      });
    }
    const afterA = await report(a);
    expect(afterA.cancelled.map((c) => c.requestId)).toEqual(afterA.started);

    // A and B send the same JSON-RPC ids (both SDK clients count alike); only A's call is cancelled.
    const controllerA = new AbortController();
    const pendingA = a.client.callTool({ name: 'hang', arguments: {} }, undefined, { signal: controllerA.signal, timeout: 60_000 }).catch((err: Error) => err);
    await waitFor(async () => (await report(a)).started.length === 21, { what: "A's call to reach the child" });
    const controllerB = new AbortController();
    const pendingB = b.client.callTool({ name: 'hang', arguments: {} }, undefined, { signal: controllerB.signal, timeout: 60_000 }).catch((err: Error) => err);
    const both = await waitFor(async () => {
      const now = await report(a);
      return now.started.length === 22 && now;
    }, { what: "B's call to reach the child" });
    const [idA, idB] = both.started.slice(20);
    expect(idA).not.toEqual(idB);
    controllerA.abort('cancel A only');
    await withDeadline(pendingA, 2_000, "A's cancelled call to reject");
    await waitFor(async () => (await report(a)).cancelled.some((c) => c.requestId === idA), { what: "the cancel of A's call at the child", timeoutMs: 5_000 });
    expect((await report(a)).cancelled.some((c) => c.requestId === idB)).toBe(false);
    controllerB.abort('cancel B');
    await withDeadline(pendingB, 2_000, "B's cancelled call to reject");
    await waitFor(async () => (await report(a)).cancelled.some((c) => c.requestId === idB), { what: "the cancel of B's call at the child", timeoutMs: 5_000 });

    // New calls work in both sessions.
    expect(await call(a, 'echo', { message: 'A again' })).toBe('Echo: A again');
    expect(await call(b, 'echo', { message: 'B again' })).toBe('Echo: B again');
  }, 90_000);
});

describe('grandchildren', () => {
  it('bridge: a normal stop (SIGTERM) stops the grandchild with the child\'s process group', async () => {
    const daemon = await startFaultServer('bridge');
    const client = await connectClient('streamableHttp', daemon.endpoint);
    const grandchild = Number(await call(client, 'grandchild'));
    expect(grandchild).toBeGreaterThan(0);
    expect(isGone(grandchild)).toBe(false);
    await client.close();
    expect(await daemon.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    await waitFor(() => isGone(grandchild), { what: `the grandchild ${grandchild} to be gone after the stop`, timeoutMs: 10_000 });
  });

  it('up: the grandchild of a child that was killed and restarted is stopped too', async () => {
    const daemon = await startFaultServer('up');
    const client = await connectClient('streamableHttp', daemon.endpoint);
    const pid = await fixturePid(client);
    const grandchild = Number(await call(client, 'grandchild'));
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (await fixturePid(client)) !== pid, { what: 'the restarted child', timeoutMs: 20_000 });
    await waitFor(() => isGone(grandchild), { what: `the grandchild ${grandchild} of the killed child to be gone`, timeoutMs: 10_000 });
  });
});

describe('SIGKILL of the child while SSE and WebSocket clients are connected', () => {
  it('keeps every client connected; each is served by the restarted child', async () => {
    const daemon: Daemon = await startDaemon(['up', '--port', '0', '--name', 'everything', '--', ...everythingServerArgv()]);
    const clients = [
      await connectClient('sse', `${daemon.origin}/sse`),
      await connectClient('sse', `${daemon.origin}/sse`),
      await connectClient('sse', `${daemon.origin}/sse`),
      await connectClient('ws', daemon.endpoint.replace(/^http/, 'ws').replace(/\/mcp$/, '/ws')),
      await connectClient('streamableHttp', daemon.endpoint),
    ];
    const closed = clients.map(() => false);
    clients.forEach((connected, i) => {
      const previous = connected.transport.onclose;
      connected.transport.onclose = () => {
        closed[i] = true;
        previous?.();
      };
    });
    const [childPid] = await waitFor(() => everythingChildren(daemon.pid).length === 1 && everythingChildren(daemon.pid), { what: 'the server child' });
    process.kill(childPid, 'SIGKILL');
    await waitFor(() => {
      const now = everythingChildren(daemon.pid);
      return now.length === 1 && now[0] !== childPid;
    }, { what: 'a new child', timeoutMs: 20_000 });
    for (const [i, connected] of clients.entries()) {
      const text = await withDeadline(call(connected, 'echo', { message: `client ${i}` }, 30_000), 30_000, `client ${i} to be served after the kill`);
      expect(text).toBe(`Echo: client ${i}`);
    }
    expect(closed).toEqual(clients.map(() => false));
    expect(daemon.running).toBe(true);
  }, 90_000);
});
