import { join } from 'node:path';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { SupervisedServer, type Logger, type RestartPolicy } from '@mcp-workstation/supervisor';
import { SharedUpstream } from './shared-upstream.js';
import { openRawSession } from './test-support/peers.js';
import { waitFor } from './test-support/wait-for.js';

// A shared child that dies before it answers initialize: requests do not wait out the
// restart wait (60 s here) for a start already known to have failed. They get the error it
// died with at once: the server's name, the exit code, its last stderr lines.

const fixtures = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures');
const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const RESTART_WAIT_MS = 60_000;

let upstream: SharedUpstream | null = null;
afterEach(async () => {
  await upstream?.close();
  upstream = null;
});

function dyingUpstream(args: string[], restart: RestartPolicy = {}): SharedUpstream {
  const channel = new SupervisedServer({
    name: 'dying',
    command: { command: process.execPath, args: [join(fixtures, 'fault-dies-at-start.js'), ...args] },
    restart,
    stopGraceMs: 1_000,
    logger: quiet,
  });
  upstream = new SharedUpstream({ name: 'dying', mode: 'shared', createChannel: () => channel, restartWaitMs: RESTART_WAIT_MS, logger: quiet });
  return upstream;
}

const toolCall = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: {} } }) as JSONRPCMessage;

function expectStartError(message: JSONRPCMessage): void {
  expect(message).toMatchObject({
    error: {
      code: -32603,
      message: expect.stringMatching(/^MCP server "dying" could not start, so this request was not sent: Server "dying" exited during start, before it answered initialize \(exit code 3\)\./),
      data: { server: 'dying', reason: 'start-failed', exitCode: 3 },
    },
  });
  expect((message as { error: { message: string } }).error.message).toContain('no credentials for profile "missing"');
}

test('a request that comes after the child died during start is answered at once with that error', async () => {
  // The next try is far off, so the request cannot be served by a restart in time.
  const up = dyingUpstream([], { initialDelayMs: 30_000, maxDelayMs: 30_000 });
  await up.start();
  expect(up.readiness()).toMatchObject({ ready: false, reason: expect.stringContaining('exit code 3') });
  const { peer, session } = openRawSession(up, 'late');
  const sent = Date.now();
  session.receive(toolCall(1));
  const { message } = await peer.waitForResponse(1, 5_000);
  expect(Date.now() - sent).toBeLessThan(5_000);
  expectStartError(message);
  expect(up.stats().awaitingChild).toBe(0);
  session.close();
});

test('a request queued while the child was starting is answered as soon as it died', async () => {
  const up = dyingUpstream(['--after-ms=700'], { initialDelayMs: 30_000, maxDelayMs: 30_000 });
  const starting = up.start();
  const { peer, session } = openRawSession(up, 'early');
  session.receive(toolCall(7));
  expect(up.stats().awaitingChild).toBe(1);
  const { message } = await peer.waitForResponse(7, 5_000);
  expectStartError(message);
  await starting;
  session.close();
});

test('once the supervisor gives the child up as failed, requests get its failed state at once', async () => {
  const up = dyingUpstream([], { initialDelayMs: 5, maxDelayMs: 10, failedAfterExits: 2, failedRetryDelayMs: 60_000 });
  await up.start();
  await waitFor('the supervisor to give it up as failed', () => up.readiness().state === 'failed', 10_000);
  const { peer, session } = openRawSession(up, 'after');
  session.receive(toolCall(100));
  const { message } = await peer.waitForResponse(100, 5_000);
  expect(message).toMatchObject({
    error: { message: expect.stringMatching(/^MCP server "dying" is failing, so this request was not sent: Server "dying" exited 2 times within 60 s/), data: { reason: 'failed' } },
  });
  expect((message as { error: { message: string } }).error.message).toContain('no credentials for profile "missing"');
  session.close();
});
