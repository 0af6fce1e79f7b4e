import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  ListResourcesRequestSchema,
  ListRootsResultSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type CallToolResult,
  type LoggingLevel,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

/**
 * What the fixture servers saw, across every generation (restart) of the child: tests read
 * it to check what reached the server's side of the stdio.
 */
export class FixtureObserver {
  readonly initializes: Array<{ generation: number; clientName: string }> = [];
  readonly toolCalls: Array<{ generation: number; name: string; requestId: RequestId; progressToken?: string | number }> = [];
  readonly cancelled: RequestId[] = [];
  readonly subscribes: Array<{ generation: number; uri: string }> = [];
  readonly unsubscribes: string[] = [];
  readonly levels: Array<{ generation: number; level: LoggingLevel }> = [];
  private readonly gates = new Map<string, () => void>();

  /** Lets a `block` call with this key finish. */
  release(key: string): void {
    this.gates.get(key)?.();
    this.gates.delete(key);
  }

  gate(key: string): Promise<void> {
    return new Promise((resolve) => this.gates.set(key, resolve));
  }
}

const TOOLS = [
  { name: 'echo', description: 'Returns its text', inputSchema: { type: 'object' as const, properties: { text: { type: 'string' } } } },
  { name: 'progress', description: 'Reports `steps` progress notifications', inputSchema: { type: 'object' as const, properties: { steps: { type: 'number' } } } },
  { name: 'block', description: 'Waits until the test releases `key`', inputSchema: { type: 'object' as const, properties: { key: { type: 'string' } } } },
  { name: 'wait-for-cancel', description: 'Waits until cancelled', inputSchema: { type: 'object' as const } },
  { name: 'sample', description: 'Asks the client to sample', inputSchema: { type: 'object' as const, properties: { prompt: { type: 'string' } } } },
  { name: 'elicit', description: 'Asks the client for input', inputSchema: { type: 'object' as const, properties: { message: { type: 'string' } } } },
  { name: 'elicit-url', description: 'Asks the client to open a URL, then completes it', inputSchema: { type: 'object' as const, properties: { id: { type: 'string' } } } },
  { name: 'roots', description: "Lists the client's roots", inputSchema: { type: 'object' as const } },
  { name: 'log', description: 'Sends a log message', inputSchema: { type: 'object' as const, properties: { level: { type: 'string' }, text: { type: 'string' } } } },
  { name: 'list-changed', description: 'Sends tools/list_changed', inputSchema: { type: 'object' as const } },
  { name: 'touch', description: 'Sends resources/updated for `uri`', inputSchema: { type: 'object' as const, properties: { uri: { type: 'string' } } } },
];

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });

/**
 * A real SDK server with a tool for each thing the upstream must carry: echo, progress,
 * cancellation, sampling, elicitation, roots, logging, list_changed, resource updates.
 * It uses the low-level Server with JSON schemas so the bridge package needs no zod.
 */
export function createFixtureServer(observer: FixtureObserver, generation: number, name = 'fixture'): Server {
  const server = new Server(
    { name, version: `1.0.${generation}` },
    {
      capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, logging: {} },
      instructions: `fixture generation ${generation}`,
    },
  );
  server.oninitialized = () => {
    const client = server.getClientVersion();
    observer.initializes.push({ generation, clientName: client?.name ?? '' });
  };
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }));
  server.setRequestHandler(ListResourcesRequestSchema, () => ({
    resources: [
      { uri: 'test://a', name: 'a' },
      { uri: 'test://b', name: 'b' },
    ],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, (request) => ({ contents: [{ uri: request.params.uri, text: `content of ${request.params.uri}` }] }));
  server.setRequestHandler(SubscribeRequestSchema, (request) => {
    observer.subscribes.push({ generation, uri: request.params.uri });
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    observer.unsubscribes.push(request.params.uri);
    return {};
  });
  server.setRequestHandler(SetLevelRequestSchema, (request) => {
    observer.levels.push({ generation, level: request.params.level });
    return {};
  });
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    const progressToken = request.params._meta?.progressToken;
    observer.toolCalls.push({ generation, name: request.params.name, requestId: extra.requestId, progressToken });
    switch (request.params.name) {
      case 'echo':
        return text(String(args.text));
      case 'progress': {
        const steps = Number(args.steps ?? 3);
        for (let step = 1; step <= steps; step += 1) {
          if (progressToken !== undefined) {
            await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: step, total: steps } });
          }
        }
        return text(`${steps} steps`);
      }
      case 'block':
        await observer.gate(String(args.key));
        return text(`released ${String(args.key)}`);
      case 'wait-for-cancel':
        await new Promise<void>((resolve) => extra.signal.addEventListener('abort', () => resolve(), { once: true }));
        observer.cancelled.push(extra.requestId);
        return text('cancelled');
      case 'sample': {
        if (args.gate !== undefined) await observer.gate(String(args.gate));
        const result = await extra.sendRequest(
          { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: String(args.prompt) } }], maxTokens: 10 } },
          CreateMessageResultSchema,
          args.timeoutMs === undefined ? undefined : { timeout: Number(args.timeoutMs) },
        );
        return text(result.content.type === 'text' ? result.content.text : result.content.type);
      }
      case 'elicit': {
        const result = await extra.sendRequest(
          {
            method: 'elicitation/create',
            params: { mode: 'form', message: String(args.message), requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } },
          },
          ElicitResultSchema,
        );
        return text(JSON.stringify(result));
      }
      case 'elicit-url': {
        const elicitationId = String(args.id);
        const result = await extra.sendRequest(
          { method: 'elicitation/create', params: { mode: 'url', message: 'sign in', url: 'https://example.com/sign-in', elicitationId } },
          ElicitResultSchema,
        );
        await server.notification({ method: 'notifications/elicitation/complete', params: { elicitationId } });
        return text(result.action);
      }
      case 'roots': {
        const result = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema);
        return text(result.roots.map((root) => root.uri).join(','));
      }
      case 'log':
        await server.notification({ method: 'notifications/message', params: { level: String(args.level) as LoggingLevel, data: String(args.text) } });
        return text('logged');
      case 'list-changed':
        await server.sendToolListChanged();
        return text('sent');
      case 'touch':
        await server.sendResourceUpdated({ uri: String(args.uri) });
        return text('touched');
      default:
        return { content: [{ type: 'text', text: `unknown tool ${request.params.name}` }], isError: true };
    }
  });
  return server;
}
