import { EventEmitter } from 'node:events';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CreateMessageResultSchema, ElicitResultSchema, ListRootsResultSchema, UrlElicitationRequiredError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/**
 * The stand-in "older child" for the 2026-07-28 tests: an SDK v1 McpServer (it speaks
 * 2025-11-25 and earlier) with tools that exercise what the bridge must translate:
 * progress, log messages, sampling, form and URL elicitation, cancellation and list changes.
 */
export interface FixtureServer {
  server: McpServer;
  /** Emits 'cancelled' (tool name) when a tool call is aborted by a notifications/cancelled. */
  events: EventEmitter;
  /** Register one more tool (the SDK then sends notifications/tools/list_changed). */
  addTool(name: string): void;
  /** URL elicitations the user has completed, by elicitation id. */
  completedUrlElicitations: Set<string>;
}

export const FIXTURE_SERVER_INFO = { name: 'fixture-server', version: '1.2.3' };

export function createFixtureServer(): FixtureServer {
  const server = new McpServer(FIXTURE_SERVER_INFO, {
    capabilities: { logging: {} },
    instructions: 'A fixture server for the bridge tests.',
  });
  const events = new EventEmitter();
  const completedUrlElicitations = new Set<string>();
  const reportCancellation = (tool: string, signal: AbortSignal) => signal.addEventListener('abort', () => events.emit('cancelled', tool));

  server.registerTool('echo', { description: 'Echo the text back', inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }));

  server.registerTool(
    'regional',
    {
      description: 'A tool whose region argument is mirrored into the Mcp-Param-Region header',
      inputSchema: { region: z.string().meta({ 'x-mcp-header': 'Region' }), query: z.string() },
    },
    async ({ region, query }) => ({ content: [{ type: 'text', text: `${query} in ${region}` }] }),
  );

  server.registerTool('count', { description: 'Report progress, then finish', inputSchema: { steps: z.number().int() } }, async ({ steps }, extra) => {
    const progressToken = extra._meta?.progressToken;
    for (let step = 1; step <= steps; step++) {
      if (progressToken !== undefined) {
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: step, total: steps } });
      }
    }
    return { content: [{ type: 'text', text: `counted to ${steps}` }] };
  });

  server.registerTool('log', { description: 'Log at debug and error, then finish' }, async (extra) => {
    await extra.sendNotification({ method: 'notifications/message', params: { level: 'debug', data: 'debug detail' } });
    await extra.sendNotification({ method: 'notifications/message', params: { level: 'error', data: 'error detail' } });
    return { content: [{ type: 'text', text: 'logged' }] };
  });

  server.registerTool('ask-model', { description: 'Ask the client LLM a question', inputSchema: { question: z.string() } }, async ({ question }, extra) => {
    reportCancellation('ask-model', extra.signal);
    const answer = await extra.sendRequest(
      { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: question } }], maxTokens: 50 } },
      CreateMessageResultSchema,
    );
    const text = answer.content.type === 'text' ? answer.content.text : '(no text)';
    return { content: [{ type: 'text', text: `model ${answer.model} said: ${text}` }] };
  });

  server.registerTool('ask-model-with-progress', { description: 'Progress, a sampling question, progress again' }, async (extra) => {
    const progressToken = extra._meta?.progressToken;
    const progress = async (value: number) => {
      if (progressToken !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: value, total: 2 } });
    };
    await progress(1);
    const answer = await extra.sendRequest(
      { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: 'ready?' } }], maxTokens: 5 } },
      CreateMessageResultSchema,
    );
    await progress(2);
    return { content: [{ type: 'text', text: `after ${answer.model}` }] };
  });

  server.registerTool('ask-user', { description: 'Ask the user for a name (form elicitation)' }, async (extra) => {
    const answer = await extra.sendRequest(
      {
        method: 'elicitation/create',
        params: {
          mode: 'form',
          message: 'What is your name?',
          requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        },
      },
      ElicitResultSchema,
    );
    const name = answer.action === 'accept' ? String(answer.content?.name) : `(${answer.action})`;
    return { content: [{ type: 'text', text: `hello ${name}` }] };
  });

  server.registerTool('list-roots', { description: "Lists the client's roots, or says why it cannot" }, async (extra) => {
    const text = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema).then(
      (answer) => `roots: ${answer.roots.map((root) => root.uri).join(', ')}`,
      (error: Error) => `no roots: ${error.message}`,
    );
    return { content: [{ type: 'text', text }] };
  });

  server.registerTool('connect-account', { description: 'Needs a URL elicitation first (-32042 on 2025-11-25)' }, async () => {
    if (!completedUrlElicitations.has('link-1')) {
      throw new UrlElicitationRequiredError([
        { mode: 'url', message: 'Link your account', url: 'https://example.com/link', elicitationId: 'link-1' },
      ]);
    }
    return { content: [{ type: 'text', text: 'account linked' }] };
  });

  server.registerTool('wait-for-cancel', { description: 'Report progress once, then run until cancelled' }, async (extra) => {
    const progressToken = extra._meta?.progressToken;
    if (progressToken !== undefined) {
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: 0 } });
    }
    await new Promise<void>((resolve) => {
      if (extra.signal.aborted) return resolve();
      extra.signal.addEventListener('abort', () => resolve());
    });
    events.emit('cancelled', 'wait-for-cancel');
    return { content: [{ type: 'text', text: 'cancelled' }] };
  });

  server.registerResource('greeting', 'fixture://greeting', { mimeType: 'text/plain' }, async (uri) => ({
    contents: [{ uri: uri.href, text: 'hello from the fixture' }],
  }));

  server.registerPrompt('greet', { description: 'Greet someone', argsSchema: { name: z.string() } }, ({ name }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Say hello to ${name}` } }],
  }));

  return {
    server,
    events,
    completedUrlElicitations,
    addTool(name) {
      server.registerTool(name, { description: `added later: ${name}` }, async () => ({ content: [{ type: 'text', text: name }] }));
    },
  };
}
