import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { InMemoryTaskMessageQueue, InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js';
import {
  CallToolRequestSchema,
  ElicitResultSchema,
  ListToolsRequestSchema,
  McpError,
  ErrorCode,
  type CallToolResult,
  type ServerNotification,
} from '@modelcontextprotocol/sdk/types.js';
import type { FixtureObserver } from './fixture-server.js';

const TOOLS = [
  { name: 'echo', description: 'Returns its text', inputSchema: { type: 'object' as const, properties: { text: { type: 'string' } } } },
  { name: 'block', description: 'Waits until the test releases `key`', inputSchema: { type: 'object' as const, properties: { key: { type: 'string' } } } },
  {
    name: 'slow-task',
    description: 'A task that completes when the test releases `key`, reporting progress on the way',
    inputSchema: { type: 'object' as const, properties: { key: { type: 'string' }, ttl: { type: 'number' } } },
    execution: { taskSupport: 'required' as const },
  },
  {
    name: 'eager-task',
    description: 'A task that reports its status before its CreateTaskResult is sent',
    inputSchema: { type: 'object' as const },
    execution: { taskSupport: 'required' as const },
  },
  {
    name: 'ask-in-task',
    description: 'A task that asks its client for input (elicitation with related-task metadata)',
    inputSchema: { type: 'object' as const, properties: { message: { type: 'string' } } },
    execution: { taskSupport: 'required' as const },
  },
  {
    name: 'log-in-task',
    description: 'A task that logs a message with related-task metadata, then completes',
    inputSchema: { type: 'object' as const, properties: { text: { type: 'string' } } },
    execution: { taskSupport: 'required' as const },
  },
];

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });

/** Poll fast: tasks/result waits this long between looks at a running task. */
const POLL_INTERVAL_MS = 20;

/**
 * A real SDK server that supports tasks (MCP 2025-11-25) the way server-everything does:
 * the SDK's InMemoryTaskStore and InMemoryTaskMessageQueue behind the SDK's own tasks/get,
 * tasks/result, tasks/list and tasks/cancel handlers. On stdio (and here) the server has no
 * session ids, so every client's tasks live in one store: exactly what the bridge must isolate.
 */
export function createTaskFixtureServer(observer: FixtureObserver, generation: number): Server {
  const taskStore = new InMemoryTaskStore();
  const server = new Server(
    { name: 'task-fixture', version: `1.0.${generation}` },
    {
      capabilities: { tools: {}, logging: {}, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
      taskStore,
      taskMessageQueue: new InMemoryTaskMessageQueue(),
    },
  );
  server.onclose = () => taskStore.cleanup();
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    observer.toolCalls.push({ generation, name: request.params.name, requestId: extra.requestId, progressToken: request.params._meta?.progressToken });
    if (request.params.name === 'echo') return text(String(args.text));
    if (request.params.name === 'block') {
      await observer.gate(String(args.key));
      return text(`released ${String(args.key)}`);
    }
    if (!request.params.task) throw new McpError(ErrorCode.InvalidParams, `${request.params.name} must be called as a task`);
    const task = await extra.taskStore!.createTask({ ttl: typeof args.ttl === 'number' ? args.ttl : 60_000, pollInterval: POLL_INTERVAL_MS });
    const finish = (result: CallToolResult): Promise<void> => extra.taskStore!.storeTaskResult(task.taskId, 'completed', result);
    const background = (work: () => Promise<void>): void => void work().catch(() => undefined); // a cancelled task cannot store a result
    switch (request.params.name) {
      case 'slow-task': {
        const progressToken = request.params._meta?.progressToken;
        background(async () => {
          await observer.gate(String(args.key));
          if (progressToken !== undefined) {
            await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: 1, total: 1 } } as ServerNotification);
          }
          await finish(text(`done ${String(args.key)}`));
        });
        break;
      }
      case 'eager-task':
        await extra.taskStore!.updateTaskStatus(task.taskId, 'working', 'started before its CreateTaskResult');
        break;
      case 'ask-in-task':
        background(async () => {
          // As server-everything's research task does: the request is queued for the task and
          // goes out, with related-task metadata, while the client's tasks/result is open.
          await extra.taskStore!.updateTaskStatus(task.taskId, 'input_required', 'waiting for the client');
          const answer = await server
            .request(
              { method: 'elicitation/create', params: { mode: 'form', message: String(args.message), requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } } },
              ElicitResultSchema,
              { relatedTask: { taskId: task.taskId } },
            )
            .catch((error: Error) => ({ failed: error.message }));
          await finish(text(JSON.stringify(answer)));
        });
        break;
      case 'log-in-task':
        background(async () => {
          await server.notification({ method: 'notifications/message', params: { level: 'info', data: String(args.text) } }, { relatedTask: { taskId: task.taskId } });
          await finish(text('logged'));
        });
        break;
      default:
        throw new McpError(ErrorCode.InvalidParams, `unknown tool ${request.params.name}`);
    }
    return { task };
  });
  return server;
}
