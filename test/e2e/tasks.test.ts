import { CallToolResultSchema, CreateTaskResultSchema, ElicitRequestSchema, RELATED_TASK_META_KEY } from '@modelcontextprotocol/sdk/types.js';
import type { ElicitRequest } from '@modelcontextprotocol/sdk/types.js';
import { cleanUp, connectClient, everythingServerArgv, everythingStdioLine, rawRequest, resultText, startDaemon, waitFor } from './support';
import type { ConnectedClient, Daemon } from './support';

// Tasks (MCP 2025-11-25) through the built CLI, with server-everything's task tool
// `simulate-research-query` (taskSupport "required": four one-second stages; with
// `ambiguous: true` it asks its client to clarify, with related-task metadata, during
// tasks/result). server-everything keeps every client's tasks in one store and, on stdio,
// cannot tell its clients apart: the bridge must keep each task to the session that made it.

afterEach(cleanUp);

async function ready(daemon: Daemon): Promise<Daemon> {
  await waitFor(async () => (await rawRequest(`${daemon.origin}/readyz`)).status === 200, { what: '/readyz to answer 200' });
  return daemon;
}

async function up(...flags: string[]): Promise<Daemon> {
  return ready(await startDaemon(['up', '--port', '0', '--name', 'everything', ...flags, '--', ...everythingServerArgv()]));
}

async function research(connected: ConnectedClient, topic: string, ambiguous = false): Promise<string> {
  const created = await connected.client.request(
    { method: 'tools/call', params: { name: 'simulate-research-query', arguments: { topic, ambiguous }, task: { ttl: 60_000 } } },
    CreateTaskResultSchema,
  );
  expect(created.task).toMatchObject({ status: 'working' });
  return created.task.taskId;
}

function statusesOf(connected: ConnectedClient): Array<{ taskId: string; status: string }> {
  return connected.notifications
    .filter((notification) => notification.method === 'notifications/tasks/status')
    .map((notification) => notification.params as { taskId: string; status: string });
}

describe('tasks on the shared child', () => {
  it("are their creator's alone: another session cannot get, fetch, cancel or list them, nor hear their status", async () => {
    const daemon = await up();
    const owner = await connectClient('streamableHttp', daemon.endpoint, { name: 'owner' });
    const other = await connectClient('streamableHttp', daemon.endpoint, { name: 'other' });
    const otherOwnTask = await research(other, 'tunnels');
    const taskId = await research(owner, 'bridges');

    const notFound = expect.objectContaining({ code: -32602, message: expect.stringContaining('Task not found') });
    await expect(other.client.experimental.tasks.getTask(taskId)).rejects.toEqual(notFound);
    await expect(other.client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema)).rejects.toEqual(notFound);
    await expect(other.client.experimental.tasks.cancelTask(taskId)).rejects.toEqual(notFound);
    expect((await other.client.experimental.tasks.listTasks()).tasks.map((task) => task.taskId)).toEqual([otherOwnTask]);
    expect((await owner.client.experimental.tasks.listTasks()).tasks.map((task) => task.taskId)).toEqual([taskId]);

    const result = await owner.client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect(resultText(result)).toContain('# Research Report: bridges');
    expect(result._meta?.[RELATED_TASK_META_KEY]).toEqual({ taskId });
    await owner.waitForNotification((n) => n.method === 'notifications/tasks/status' && (n.params as { status: string }).status === 'completed', 'the completed status at the owner');
    await other.client.experimental.tasks.getTaskResult(otherOwnTask, CallToolResultSchema);
    expect(new Set(statusesOf(owner).map((status) => status.taskId))).toEqual(new Set([taskId]));
    expect(new Set(statusesOf(other).map((status) => status.taskId))).toEqual(new Set([otherOwnTask]));
  });

  it("send the task's question to its owner while another session has a call in flight", async () => {
    const daemon = await up();
    const owner = await connectClient('streamableHttp', daemon.endpoint, { name: 'owner' });
    const asked: ElicitRequest[] = [];
    owner.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request);
      return { action: 'accept', content: { interpretation: 'historical' } };
    });
    const other = await connectClient('streamableHttp', daemon.endpoint, { name: 'other' });
    // In flight for the whole research: without the task's metadata the bridge could not tell
    // which of the two sessions the question belongs to, and would refuse it after waiting.
    const long = other.client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 5, steps: 5 } });

    const taskId = await research(owner, 'bridges', true);
    const result = await owner.client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);

    expect(resultText(result)).toContain('**Clarification**: historical');
    expect(asked).toHaveLength(1);
    expect(asked[0].params._meta?.[RELATED_TASK_META_KEY]).toEqual({ taskId });
    expect(other.elicitationRequests).toHaveLength(0);
    expect(statusesOf(owner).map((status) => status.status)).toContain('input_required');
    expect(statusesOf(other)).toEqual([]);
    expect(resultText(await long)).toContain('Long running operation completed');
  });

  it("are cancelled at the child when their owner's session ends, and nobody can reach them after", async () => {
    const daemon = await up('--log-level', 'debug');
    const owner = await connectClient('streamableHttp', daemon.endpoint, { name: 'owner' });
    const other = await connectClient('streamableHttp', daemon.endpoint, { name: 'other' });
    const taskId = await research(owner, 'abandoned');

    await owner.terminateSession();

    await daemon.waitForOutput(/cancelling the running tasks of a closed session/);
    // server-everything's research loop finds its task cancelled and says so on stderr.
    await daemon.waitForOutput(new RegExp(`Research task ${taskId} failed.*terminal status`), 10_000);
    await expect(other.client.experimental.tasks.getTask(taskId)).rejects.toMatchObject({ code: -32602 });
    expect(statusesOf(other)).toEqual([]);
  });
});

describe('tasks of stateless clients (bridge without --stateful)', () => {
  it('are fetched by id from any POST and never listed', async () => {
    const daemon = await ready(await startDaemon(['bridge', '--stdio', everythingStdioLine(), '--outputTransport', 'streamableHttp', '--port', '0']));
    const creator = await connectClient('streamableHttp', daemon.endpoint, { name: 'creator' });
    expect(creator.transport.sessionId).toBeUndefined();
    const taskId = await research(creator, 'statelessness');
    const poller = await connectClient('streamableHttp', daemon.endpoint, { name: 'poller' });

    expect(await poller.client.experimental.tasks.getTask(taskId)).toMatchObject({ taskId });
    expect((await creator.client.experimental.tasks.listTasks()).tasks).toEqual([]);
    const result = await poller.client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect(resultText(result)).toContain('# Research Report: statelessness');
  });
});
