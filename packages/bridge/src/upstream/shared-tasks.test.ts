import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CallToolResultSchema, CreateTaskResultSchema, ElicitRequestSchema, EmptyResultSchema, McpError, RELATED_TASK_META_KEY } from '@modelcontextprotocol/sdk/types.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { UpstreamSession } from './types.js';
import { sharedHarness, type SharedHarness } from './test-support/harness.js';
import { connectClient, openRawSession, type ConnectedClient, type RecordingPeer } from './test-support/peers.js';
import { FixtureObserver } from './test-support/fixture-server.js';
import { createTaskFixtureServer } from './test-support/task-fixture-server.js';
import { waitFor } from './test-support/wait-for.js';

// Tasks (MCP 2025-11-25) on the shared child: the child keeps every session's tasks in one
// store and cannot tell its clients apart, so the bridge must keep each task to the session
// that created it. The child is a real SDK server with the SDK's own task store and handlers.

let harness: SharedHarness;
const clients: ConnectedClient[] = [];
const directClients: Client[] = [];

interface RawSession {
  peer: RecordingPeer;
  session: UpstreamSession;
}

type Answer = { id: RequestId; result?: Record<string, any>; error?: { code: number; message: string } };

function send(session: UpstreamSession, message: Record<string, unknown>): void {
  session.receive({ jsonrpc: '2.0', ...message } as JSONRPCMessage);
}

async function ask(raw: RawSession, id: RequestId, method: string, params?: Record<string, unknown>): Promise<Answer> {
  send(raw.session, params === undefined ? { id, method } : { id, method, params });
  return (await raw.peer.waitForResponse(id)).message as Answer;
}

/** A task-augmented tools/call; resolves with the new task's id. */
async function createTask(raw: RawSession, id: RequestId, name: string, args: Record<string, unknown> = {}, meta?: Record<string, unknown>): Promise<string> {
  const answer = await ask(raw, id, 'tools/call', { name, arguments: args, task: { ttl: 60_000 }, ...(meta ? { _meta: meta } : {}) });
  const taskId = answer.result?.task?.taskId;
  if (typeof taskId !== 'string') throw new Error(`no task was created: ${JSON.stringify(answer)}`);
  return taskId;
}

/** What the bridge wrote to the child with this method. */
function sentToChild(method: string): Array<Record<string, any>> {
  return harness.channel.sent.map(({ message }) => message as Record<string, any>).filter((message) => message.method === method);
}

function statusNotifications(peer: RecordingPeer): Array<{ taskId: string; status: string }> {
  return peer.messagesWithMethod('notifications/tasks/status').map(({ message }) => (message as unknown as { params: { taskId: string; status: string } }).params);
}

function taskIdsOf(answer: Answer): string[] {
  return (answer.result?.tasks as Array<{ taskId: string }>).map((task) => task.taskId);
}

/** A plain SDK client straight on a fresh instance of the child (no bridge), to compare answers with. */
async function directClientOfAnotherChild(): Promise<Client> {
  const server = createTaskFixtureServer(new FixtureObserver(), 1);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'direct', version: '1' });
  await client.connect(clientSide);
  directClients.push(client);
  return client;
}

async function connect(label: string, capabilities = {}): Promise<ConnectedClient> {
  const connected = await connectClient(harness.upstream, label, capabilities);
  clients.push(connected);
  return connected;
}

beforeEach(async () => {
  harness = sharedHarness({}, {}, { ambiguityWaitMs: 300 }, createTaskFixtureServer);
  await harness.upstream.start();
});

afterEach(async () => {
  for (const connected of clients.splice(0)) await connected.close();
  for (const client of directClients.splice(0)) await client.close();
  await harness.upstream.close();
});

describe('a task belongs to the session that created it', () => {
  test('another session gets the answer for a task that does not exist, and nothing reaches the child', async () => {
    const a = openRawSession(harness.upstream, 'a');
    const b = openRawSession(harness.upstream, 'b');
    const taskId = await createTask(a, 1, 'slow-task', { key: 'one' });

    const get = await ask(b, 1, 'tasks/get', { taskId });
    const result = await ask(b, 2, 'tasks/result', { taskId });
    const cancel = await ask(b, 3, 'tasks/cancel', { taskId });

    expect(get.error).toEqual({ code: -32602, message: 'MCP error -32602: Failed to retrieve task: Task not found' });
    expect(result.error).toEqual({ code: -32602, message: `MCP error -32602: Task not found: ${taskId}` });
    expect(cancel.error).toEqual({ code: -32602, message: `MCP error -32602: Task not found: ${taskId}` });
    for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel']) expect(sentToChild(method)).toHaveLength(0);
    // The owner is served by the child.
    expect((await ask(a, 2, 'tasks/get', { taskId })).result).toMatchObject({ taskId, status: 'working' });
    harness.observer.release('one');
    expect((await ask(a, 3, 'tasks/result', { taskId })).result).toMatchObject({ content: [{ text: 'done one' }] });
  });

  test("the refusal is word for word what the same server answers for a task it does not have", async () => {
    const a = openRawSession(harness.upstream, 'a');
    const b = openRawSession(harness.upstream, 'b');
    const taskId = await createTask(a, 1, 'slow-task', { key: 'k' });
    const direct = await directClientOfAnotherChild();

    for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel']) {
      const fromChild = await direct.request({ method, params: { taskId } } as never, EmptyResultSchema).then(
        () => undefined,
        (error: McpError) => error,
      );
      const fromBridge = await ask(b, method, method, { taskId });
      expect(fromChild).toBeInstanceOf(McpError);
      // The SDK client puts its own "MCP error <code>: " before the wire message.
      expect(fromBridge.error).toEqual({ code: fromChild!.code, message: fromChild!.message.replace(/^MCP error -?\d+: /, '') });
    }
  });

  test('a request carrying related-task metadata for another session\'s task is refused before the child', async () => {
    const a = openRawSession(harness.upstream, 'a');
    const b = openRawSession(harness.upstream, 'b');
    const taskId = await createTask(a, 1, 'slow-task', { key: 'k' });

    const answer = await ask(b, 1, 'tools/call', { name: 'echo', arguments: { text: 'x' }, _meta: { [RELATED_TASK_META_KEY]: { taskId } } });

    expect(answer.error).toEqual({ code: -32602, message: `MCP error -32602: Task not found: ${taskId}` });
    expect(harness.observer.toolCalls.filter((call) => call.name === 'echo')).toHaveLength(0);
  });

  test('tasks/get without a string taskId is refused with what to send', async () => {
    const a = openRawSession(harness.upstream, 'a');
    const answer = await ask(a, 1, 'tasks/get', { taskId: 7 });
    expect(answer.error).toMatchObject({ code: -32602, message: expect.stringContaining('params.taskId, a string') });
    expect(sentToChild('tasks/get')).toHaveLength(0);
  });
});

describe('what the child says about tasks reaches their owner only', () => {
  test('tasks/list shows each session its own tasks; status notifications go to the owner', async () => {
    const a = openRawSession(harness.upstream, 'a');
    const b = openRawSession(harness.upstream, 'b');
    const a1 = await createTask(a, 1, 'slow-task', { key: 'a1' });
    const a2 = await createTask(a, 2, 'slow-task', { key: 'a2' });
    const b1 = await createTask(b, 1, 'slow-task', { key: 'b1' });

    expect(taskIdsOf(await ask(a, 3, 'tasks/list'))).toEqual([a1, a2]);
    expect(taskIdsOf(await ask(b, 2, 'tasks/list'))).toEqual([b1]);

    for (const key of ['a1', 'a2', 'b1']) harness.observer.release(key);
    await waitFor('a hears both of its tasks complete', () => statusNotifications(a.peer).filter((s) => s.status === 'completed').length === 2);
    await waitFor('b hears its task complete', () => statusNotifications(b.peer).some((s) => s.status === 'completed'));
    expect(new Set(statusNotifications(a.peer).map((s) => s.taskId))).toEqual(new Set([a1, a2]));
    expect(new Set(statusNotifications(b.peer).map((s) => s.taskId))).toEqual(new Set([b1]));
  });

  test('pages: the child\'s cursor never shows; a cursor is good only for the session it was given to', async () => {
    const a = openRawSession(harness.upstream, 'a');
    const b = openRawSession(harness.upstream, 'b');
    // The SDK's store pages 10 at a time and uses the page's last task id as its cursor:
    // b's task is 10th, so the child's cursor for the first page is b's task id.
    const own: string[] = [];
    for (let i = 0; i < 9; i += 1) own.push(await createTask(a, `c${i}`, 'slow-task', { key: `a${i}` }));
    const bTask = await createTask(b, 'c', 'slow-task', { key: 'b' });
    for (let i = 9; i < 11; i += 1) own.push(await createTask(a, `c${i}`, 'slow-task', { key: `a${i}` }));

    const first = await ask(a, 'list-1', 'tasks/list');
    expect(taskIdsOf(first)).toEqual(own.slice(0, 9));
    const cursor = first.result?.nextCursor as string;
    expect(typeof cursor).toBe('string');
    expect(JSON.stringify(first)).not.toContain(bTask);

    const second = await ask(a, 'list-2', 'tasks/list', { cursor });
    expect(taskIdsOf(second)).toEqual(own.slice(9));
    expect(second.result).not.toHaveProperty('nextCursor');

    // b may not use a's cursor, nor anyone the child's own.
    const foreign = await ask(b, 'list-1', 'tasks/list', { cursor });
    const raw = await ask(a, 'list-3', 'tasks/list', { cursor: bTask });
    expect(foreign.error).toMatchObject({ code: -32602, message: expect.stringContaining('Invalid cursor') });
    expect(raw.error).toMatchObject({ code: -32602, message: expect.stringContaining('Invalid cursor') });
    expect(sentToChild('tasks/list')).toHaveLength(2);
  });

  test('a status sent before the CreateTaskResult waits for it and then reaches the owner only', async () => {
    const a = openRawSession(harness.upstream, 'a');
    const b = openRawSession(harness.upstream, 'b');
    const taskId = await createTask(a, 1, 'eager-task');

    await waitFor('the early status at a', () => statusNotifications(a.peer).length === 1);
    expect(statusNotifications(a.peer)[0]).toMatchObject({ taskId, status: 'working' });
    // After the response, as a client needs it to know the task.
    const order = a.peer.received.map(({ message }) => ('method' in message ? message.method : 'response'));
    expect(order.indexOf('response')).toBeLessThan(order.indexOf('notifications/tasks/status'));
    expect(b.peer.received).toHaveLength(0);
    expect(harness.upstream.stats().earlyTaskNotifications).toBe(0);
  });

  test("a task's progress keeps reaching its owner, with the owner's token, after the CreateTaskResult", async () => {
    const a = openRawSession(harness.upstream, 'a');
    const b = openRawSession(harness.upstream, 'b');
    await createTask(a, 1, 'slow-task', { key: 'p' }, { progressToken: 'mine' });

    harness.observer.release('p');

    const progress = await a.peer.waitForMethod('notifications/progress');
    expect(progress.message).toMatchObject({ params: { progressToken: 'mine', progress: 1, total: 1 } });
    expect(b.peer.messagesWithMethod('notifications/progress')).toHaveLength(0);
  });

  test('a log message of a task (related-task metadata) reaches its owner, not every session', async () => {
    const a = openRawSession(harness.upstream, 'a');
    const b = openRawSession(harness.upstream, 'b');
    const taskId = await createTask(a, 1, 'log-in-task', { text: 'for a only' });

    const result = await ask(a, 2, 'tasks/result', { taskId });

    expect(result.result).toMatchObject({ content: [{ text: 'logged' }] });
    const [log] = a.peer.messagesWithMethod('notifications/message');
    expect(log.message).toMatchObject({ params: { data: 'for a only', _meta: { [RELATED_TASK_META_KEY]: { taskId } } } });
    expect(log.relatedRequestId).toBe(2);
    expect(b.peer.received).toHaveLength(0);
  });
});

describe("the child's requests made for a task", () => {
  test('reach the owner on its tasks/result even while another session could have caused them', async () => {
    const owner = await connect('owner', { elicitation: { form: {} } });
    owner.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Ada' } }));
    const bystander = await connect('bystander', { elicitation: { form: {} } });
    bystander.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'intruder' } }));
    // The bystander has a call in flight: without the task's metadata the elicitation would be
    // ambiguous between the two sessions and end in an error after ambiguityWaitMs.
    const blocked = bystander.client.callTool({ name: 'block', arguments: { key: 'bystander' } });
    await waitFor('the bystander at the child', () => harness.observer.toolCalls.some((call) => call.name === 'block'));

    const created = await owner.client.request(
      { method: 'tools/call', params: { name: 'ask-in-task', arguments: { message: 'your name?' }, task: { ttl: 60_000 } } },
      CreateTaskResultSchema,
    );
    const result = await owner.client.experimental.tasks.getTaskResult(created.task.taskId, CallToolResultSchema);

    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual({ action: 'accept', content: { name: 'Ada' } });
    const [elicitation] = owner.peer.messagesWithMethod('elicitation/create');
    const taskResultRequest = harness.channel.sent.find(({ message }) => 'method' in message && message.method === 'tasks/result');
    expect(taskResultRequest).toBeDefined();
    expect(elicitation.relatedRequestId).toBeDefined();
    expect(owner.peer.responseTo(elicitation.relatedRequestId!)).toBeDefined(); // it rode on the tasks/result request
    expect(bystander.peer.messagesWithMethod('elicitation/create')).toHaveLength(0);
    harness.observer.release('bystander');
    await blocked;
  });

  test('an owner that cannot take one: the child gets an error naming the task, no other session is asked', async () => {
    const owner = openRawSession(harness.upstream, 'owner');
    send(owner.session, { id: 'init', method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    await owner.peer.waitForResponse('init');
    const capable = await connect('capable', { elicitation: { form: {} } });
    capable.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'intruder' } }));
    // In flight, so by the usual rule (the only capable session with a request open) it would be asked.
    const blocked = capable.client.callTool({ name: 'block', arguments: { key: 'capable' } });
    await waitFor('the capable session at the child', () => harness.observer.toolCalls.some((call) => call.name === 'block'));
    const taskId = await createTask(owner, 1, 'ask-in-task', { message: 'anyone?' });

    const result = await ask(owner, 2, 'tasks/result', { taskId });
    harness.observer.release('capable');
    await blocked;

    const answer = JSON.parse(result.result?.content[0].text) as { failed?: string };
    expect(answer.failed).toContain(`No client can take this elicitation/create for task ${taskId}`);
    expect(answer.failed).toContain('"elicitation" capability');
    expect(owner.peer.messagesWithMethod('elicitation/create')).toHaveLength(0);
    expect(capable.peer.messagesWithMethod('elicitation/create')).toHaveLength(0);
  });
});

describe('ownership ends', () => {
  test("when the owner's session closes: its running tasks are cancelled at the child and forgotten", async () => {
    const a = openRawSession(harness.upstream, 'a');
    const b = openRawSession(harness.upstream, 'b');
    const running = await createTask(a, 1, 'slow-task', { key: 'left' });
    const done = await createTask(a, 2, 'slow-task', { key: 'done' });
    harness.observer.release('done');
    await waitFor('the second task completed', () => statusNotifications(a.peer).some((s) => s.taskId === done && s.status === 'completed'));

    a.session.close();

    await waitFor('the running task cancelled at the child', () => sentToChild('tasks/cancel').length === 1);
    expect(sentToChild('tasks/cancel')[0].params).toEqual({ taskId: running });
    expect(harness.upstream.stats()).toMatchObject({ tasks: 0, taskCursors: 0 });
    expect((await ask(b, 1, 'tasks/get', { taskId: running })).error).toMatchObject({ code: -32602 });
    // The child's "cancelled" status has no owner any more: nobody hears it.
    await waitFor('the bridge answered its own cancel', () => harness.upstream.stats().bridgeRequests === 0);
    expect(b.peer.messagesWithMethod('notifications/tasks/status')).toHaveLength(0);
  });

  test('when the child exits: its tasks died with it', async () => {
    await harness.upstream.close();
    harness = sharedHarness({}, { restartOnExit: true }, {}, createTaskFixtureServer);
    await harness.upstream.start();
    const a = openRawSession(harness.upstream, 'a');
    const taskId = await createTask(a, 1, 'slow-task', { key: 'k' });
    expect(harness.upstream.stats().tasks).toBe(1);

    await harness.channel.exit();

    expect(harness.upstream.stats().tasks).toBe(0);
    expect((await ask(a, 2, 'tasks/get', { taskId })).error).toMatchObject({ code: -32602 });
    expect(sentToChild('tasks/get')).toHaveLength(0);
  });

  test('after its ttl, as the child forgets it', async () => {
    const a = openRawSession(harness.upstream, 'a');
    await createTask(a, 1, 'slow-task', { key: 'short', ttl: 50 });
    expect(harness.upstream.stats().tasks).toBe(1);
    await waitFor('the record released', () => harness.upstream.stats().tasks === 0);
  });
});

describe('stateless clients', () => {
  test('fetch their tasks by id from any POST, never list them, and stateful sessions cannot reach them', async () => {
    const creator = openRawSession(harness.upstream, 'post-1', true);
    const taskId = await createTask(creator, 1, 'slow-task', { key: 's' });
    creator.session.close(); // the POST is over; the task is not
    const stateful = openRawSession(harness.upstream, 'stateful');
    const statefulTask = await createTask(stateful, 1, 'slow-task', { key: 't' });

    const poller = openRawSession(harness.upstream, 'post-2', true);
    expect((await ask(poller, 1, 'tasks/get', { taskId })).result).toMatchObject({ taskId, status: 'working' });
    expect((await ask(poller, 2, 'tasks/get', { taskId: statefulTask })).error).toMatchObject({ code: -32602 });
    expect((await ask(stateful, 2, 'tasks/get', { taskId })).error).toMatchObject({ code: -32602 });
    expect(taskIdsOf(await ask(stateful, 3, 'tasks/list'))).toEqual([statefulTask]);

    const listed = await ask(poller, 3, 'tasks/list');
    expect(listed.result).toEqual({ tasks: [] });
    expect(sentToChild('tasks/list')).toHaveLength(1); // the stateful session's only

    // The status reaches the stateless POST that waits on the task, on that request's stream.
    const result = ask(poller, 4, 'tasks/result', { taskId });
    await waitFor('tasks/result at the child', () => sentToChild('tasks/result').length === 1);
    harness.observer.release('s');
    expect((await result).result).toMatchObject({ content: [{ text: 'done s' }] });
    const status = poller.peer.messagesWithMethod('notifications/tasks/status').find(({ message }) => (message as unknown as { params: { status: string } }).params.status === 'completed');
    expect(status?.relatedRequestId).toBe(4);
    expect(stateful.peer.messagesWithMethod('notifications/tasks/status')).toHaveLength(0);
  });

  test('their records are capped, oldest forgotten first', async () => {
    await harness.upstream.close();
    harness = sharedHarness({}, {}, { maxStatelessTasks: 2 }, createTaskFixtureServer);
    await harness.upstream.start();
    const post = openRawSession(harness.upstream, 'post', true);
    const first = await createTask(post, 1, 'slow-task', { key: '1' });
    const second = await createTask(post, 2, 'slow-task', { key: '2' });
    const third = await createTask(post, 3, 'slow-task', { key: '3' });

    expect(harness.upstream.stats().tasks).toBe(2);
    expect((await ask(post, 4, 'tasks/get', { taskId: first })).error).toMatchObject({ code: -32602 });
    expect((await ask(post, 5, 'tasks/get', { taskId: second })).result).toMatchObject({ taskId: second });
    expect((await ask(post, 6, 'tasks/get', { taskId: third })).result).toMatchObject({ taskId: third });
  });
});
