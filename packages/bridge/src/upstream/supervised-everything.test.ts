import { join } from 'node:path';
import { CreateMessageRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { SupervisedServer, type Logger } from '@mcp-workstation/supervisor';
import { createUpstream } from './index.js';
import type { Upstream } from './types.js';
import { connectClient, type ConnectedClient } from './test-support/peers.js';
import { waitFor } from './test-support/wait-for.js';

// The shared upstream over the real supervisor and a real third-party stdio server
// (@modelcontextprotocol/server-everything), driven by real SDK clients.

const everything = join(__dirname, '..', '..', '..', '..', 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

let channel: SupervisedServer;
let upstream: Upstream;
const clients: ConnectedClient[] = [];

async function connect(label: string): Promise<ConnectedClient> {
  const connected = await connectClient(upstream, label, { sampling: {} }, (client) =>
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', content: { type: 'text', text: `sampled by ${label}` }, model: 'test' })),
  );
  clients.push(connected);
  return connected;
}

beforeAll(async () => {
  channel = new SupervisedServer({
    name: 'everything',
    command: { command: process.execPath, args: [everything, 'stdio'] },
    restart: { initialDelayMs: 20, maxDelayMs: 200 },
    stopGraceMs: 2_000,
    logger: quiet,
  });
  upstream = createUpstream({ name: 'everything', mode: 'shared', createChannel: () => channel, logger: quiet });
  await upstream.start();
});

afterAll(async () => {
  for (const connected of clients.splice(0)) await connected.close();
  await upstream.close();
});

test('the child is initialized by the bridge and ready', () => {
  expect(upstream.readiness()).toMatchObject({ ready: true, state: 'ready' });
  expect(upstream.initializeResult()?.serverInfo.name).toMatch(/everything/);
});

test('two sessions: same ids, own answers, own progress, own sampling', async () => {
  const a = await connect('a');
  const b = await connect('b');
  const echoes = await Promise.all(
    Array.from({ length: 5 }, (_, i) => [
      a.client.callTool({ name: 'echo', arguments: { message: `a${i}` } }),
      b.client.callTool({ name: 'echo', arguments: { message: `b${i}` } }),
    ]).flat(),
  );
  echoes.forEach((result, i) => expect(result).toMatchObject({ content: [{ text: `Echo: ${i % 2 === 0 ? 'a' : 'b'}${Math.floor(i / 2)}` }] }));

  const progressA: number[] = [];
  const progressB: number[] = [];
  await Promise.all([
    a.client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.2, steps: 2 } }, undefined, { onprogress: (p) => progressA.push(p.progress) }),
    b.client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } }, undefined, { onprogress: (p) => progressB.push(p.progress) }),
  ]);
  expect(progressA).toEqual([1, 2]);
  expect(progressB).toEqual([1, 2, 3]);

  const sampled = await a.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi', maxTokens: 5 } });
  expect(JSON.stringify(sampled)).toContain('sampled by a');
  expect(b.peer.messagesWithMethod('sampling/createMessage')).toHaveLength(0);
});

test('the child killed mid-call: the call fails at once naming the server; the next call goes to the restarted child', async () => {
  const a = await connect('killer');
  const firstPid = channel.status().pid;
  let progressed = false;
  const call = a.client
    .callTool({ name: 'trigger-long-running-operation', arguments: { duration: 30, steps: 300 } }, undefined, {
      onprogress: () => (progressed = true),
      timeout: 10_000,
    })
    .catch((error: unknown) => error);
  await waitFor('the call running at the child', () => progressed);
  process.kill(firstPid!, 'SIGKILL');
  const error = await call;
  expect(error).toBeInstanceOf(McpError);
  expect((error as McpError).message).toMatch(/MCP server "everything" exited/);
  expect((error as McpError).data).toEqual({ server: 'everything', reason: 'child-exit' });

  await expect(a.client.callTool({ name: 'echo', arguments: { message: 'again' } })).resolves.toMatchObject({ content: [{ text: 'Echo: again' }] });
  expect(channel.status().pid).not.toBe(firstPid);
  expect(upstream.readiness().ready).toBe(true);
});
