import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  InitializeRequestSchema,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { handleModernRequest, ModernState } from '../http/modern/index.js';
import { envelope, headersFor, postRaw } from '../http/modern/test-support/modern-harness.js';
import { PerSessionUpstream } from './per-session-upstream.js';
import { sharedHarness, type SharedHarness } from './test-support/harness.js';
import { InProcessChannel } from './test-support/in-process-channel.js';
import { connectClient, openRawSession, type ConnectedClient } from './test-support/peers.js';
import { waitFor } from './test-support/wait-for.js';
import type { ChildError, ChildErrorContext, ChildResponse, ChildResponseContext, UpstreamOptions } from './types.js';

// UpstreamOptions.rewriteError, rewriteResult and onChildResponse: the owner sees every answer
// of the child and may replace a misleading error (or a result that is a failure in disguise)
// before any client (any mode, any era) receives it.

const EXPIRED: ChildError = { code: -32010, message: 'your login expired: log in again', data: { reason: 'login-expired' } };

/** Rewrites the child's -32602 (and only that) into EXPIRED, recording what it was asked. */
function recordingRewrite(calls: Array<[ChildError, ChildErrorContext]>) {
  return (error: ChildError, context: ChildErrorContext): ChildError | undefined => {
    calls.push([error, context]);
    return error.code === -32602 ? EXPIRED : undefined;
  };
}

interface ServerBehaviour {
  /** Answer initialize with -32602, like mcp-proxy-for-aws whose login needs a refresh. */
  refuseInitialize?: boolean;
}

/** Turns a tools/call result marked isError whose text says "expired" into EXPIRED. */
function expiredResultRewrite(calls: Array<[unknown, ChildErrorContext]> = []) {
  return (result: unknown, context: ChildErrorContext): ChildError | undefined => {
    calls.push([result, context]);
    const { isError, content } = result as { isError?: boolean; content?: Array<{ text?: string }> };
    return context.method === 'tools/call' && isError === true && content?.some((block) => block.text?.includes('expired')) ? EXPIRED : undefined;
  };
}

/** A real SDK server: tool `ok` answers, `fail` throws the McpError its arguments name, `soft-fail` answers isError with its `text`. */
function makeServer(behaviour: ServerBehaviour = {}): Server {
  const server = new Server({ name: 'hooked', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [
      { name: 'ok', inputSchema: { type: 'object' as const } },
      { name: 'fail', inputSchema: { type: 'object' as const, properties: { code: { type: 'number' } } } },
      { name: 'soft-fail', inputSchema: { type: 'object' as const, properties: { text: { type: 'string' } } } },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, (request) => {
    if (request.params.name === 'fail') throw new McpError(Number(request.params.arguments?.code ?? -32602), 'Invalid request parameters', '');
    if (request.params.name === 'soft-fail') return { content: [{ type: 'text', text: String(request.params.arguments?.text) }], isError: true };
    return { content: [{ type: 'text', text: 'fine' }] };
  });
  if (behaviour.refuseInitialize) {
    server.setRequestHandler(InitializeRequestSchema, () => {
      throw new McpError(-32602, 'Invalid request parameters', '');
    });
  }
  return server;
}

let harness: SharedHarness | null = null;
const clients: ConnectedClient[] = [];
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const connected of clients.splice(0)) await connected.close();
  for (const close of closers.splice(0)) await close();
  await harness?.upstream.close();
  harness = null;
});

function startShared(options: Partial<UpstreamOptions>, behaviourOf: (generation: number) => ServerBehaviour = () => ({})): SharedHarness {
  harness = sharedHarness(options, {}, {}, (_observer, generation) => makeServer(behaviourOf(generation)));
  return harness;
}

async function connect(h: SharedHarness, label: string): Promise<ConnectedClient> {
  const connected = await connectClient(h.upstream, label);
  clients.push(connected);
  return connected;
}

async function errorOf(promise: Promise<unknown>): Promise<McpError> {
  const outcome = await promise.then(
    (value) => new Error(`expected an error, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
  if (!(outcome instanceof McpError)) throw outcome;
  return outcome;
}

describe('rewriteError in shared mode', () => {
  test("replaces the child's error before the client sees it, with the server and method as context", async () => {
    const calls: Array<[ChildError, ChildErrorContext]> = [];
    const h = startShared({ rewriteError: recordingRewrite(calls) });
    await h.upstream.start();
    const a = await connect(h, 'a');

    const error = await errorOf(a.client.callTool({ name: 'fail', arguments: { code: -32602 } }));

    expect(error.code).toBe(-32010);
    expect(error.message).toContain('your login expired: log in again');
    expect(error.data).toEqual({ reason: 'login-expired' });
    expect(calls).toEqual([[{ code: -32602, message: 'MCP error -32602: Invalid request parameters', data: '' }, { server: 'fixture', method: 'tools/call' }]]);
    expect(h.records.find((record) => record.method === 'tools/call')).toMatchObject({ outcome: 'error', errorCode: -32010 });
  });

  test('an error the hook leaves alone (undefined), a throwing hook and a malformed answer all reach the client unchanged', async () => {
    for (const rewriteError of [() => undefined, () => { throw new Error('hook bug'); }, () => ({ message: 'no code' }) as unknown as ChildError]) {
      const h = startShared({ rewriteError });
      await h.upstream.start();
      const a = await connect(h, 'a');
      const error = await errorOf(a.client.callTool({ name: 'fail', arguments: { code: -32602 } }));
      expect(error.code).toBe(-32602);
      await a.close();
      clients.splice(0);
      await h.upstream.close();
    }
  });

  test('results pass untouched; the hook is not asked about them', async () => {
    const calls: Array<[ChildError, ChildErrorContext]> = [];
    const h = startShared({ rewriteError: recordingRewrite(calls) });
    await h.upstream.start();
    const a = await connect(h, 'a');
    await expect(a.client.callTool({ name: 'ok', arguments: {} })).resolves.toMatchObject({ content: [{ text: 'fine' }] });
    expect(calls).toEqual([]);
  });

  test('stateless sessions get the replacement too', async () => {
    const calls: Array<[ChildError, ChildErrorContext]> = [];
    const h = startShared({ mode: 'stateless', rewriteError: recordingRewrite(calls) });
    await h.upstream.start();
    const { peer, session } = openRawSession(h.upstream, 'stateless POST', true);
    session.receive({ jsonrpc: '2.0', id: 'x', method: 'tools/call', params: { name: 'fail', arguments: { code: -32602 } } });
    const answer = await peer.waitForResponse('x');
    expect(answer.message).toEqual({ jsonrpc: '2.0', id: 'x', error: EXPIRED });
    session.close();
  });
});

describe('rewriteResult', () => {
  test('a result the hook names a failure reaches the client as its error; other results, and answers to other methods, pass untouched', async () => {
    const calls: Array<[unknown, ChildErrorContext]> = [];
    const h = startShared({ rewriteResult: expiredResultRewrite(calls) });
    await h.upstream.start();
    const a = await connect(h, 'a');
    const error = await errorOf(a.client.callTool({ name: 'soft-fail', arguments: { text: 'Tool call failed: token expired' } }));
    expect(error.code).toBe(-32010);
    expect(error.data).toEqual({ reason: 'login-expired' });
    expect(calls.at(-1)).toEqual([expect.objectContaining({ isError: true }), { server: 'fixture', method: 'tools/call' }]);
    await expect(a.client.callTool({ name: 'soft-fail', arguments: { text: 'bucket not found' } })).resolves.toMatchObject({ isError: true, content: [{ text: 'bucket not found' }] });
    await expect(a.client.callTool({ name: 'ok', arguments: {} })).resolves.toMatchObject({ content: [{ text: 'fine' }] });
    await expect(a.client.listTools()).resolves.toMatchObject({ tools: expect.arrayContaining([expect.objectContaining({ name: 'ok' })]) });
    expect(calls.map(([, context]) => context.method)).toContain('tools/list');
  });

  test('a throwing hook and a malformed answer leave the result as it was', async () => {
    for (const rewriteResult of [() => { throw new Error('hook bug'); }, () => ({ code: 'x' }) as unknown as ChildError]) {
      const h = startShared({ rewriteResult });
      await h.upstream.start();
      const a = await connect(h, 'a');
      await expect(a.client.callTool({ name: 'soft-fail', arguments: { text: 'expired' } })).resolves.toMatchObject({ isError: true, content: [{ text: 'expired' }] });
      await a.close();
      await h.upstream.close();
    }
  });
});

describe('a shared child that refuses the bridge initialize', () => {
  test('requests are answered at once with the rewritten error, and readiness says it, until the child is restarted', async () => {
    const calls: Array<[ChildError, ChildErrorContext]> = [];
    const h = startShared({ rewriteError: recordingRewrite(calls), restartWaitMs: 60_000 }, (generation) => ({ refuseInitialize: generation === 1 }));
    const { peer, session } = openRawSession(h.upstream, 'early');
    // Arrives before the child answered: it waits, then gets the refusal when it comes.
    session.receive({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    await h.upstream.start();

    expect((await peer.waitForResponse(1)).message).toEqual({ jsonrpc: '2.0', id: 1, error: EXPIRED });
    expect(calls.map(([, context]) => context)).toEqual([{ server: 'fixture', method: 'initialize' }]);
    expect(h.upstream.readiness()).toMatchObject({ ready: false, reason: EXPIRED.message });
    // A later request is not held for restartWaitMs (60 s here): the answer is immediate.
    session.receive({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'ok' } });
    expect((await peer.waitForResponse(2, 1_000)).message).toEqual({ jsonrpc: '2.0', id: 2, error: EXPIRED });
    expect(h.upstream.stats().awaitingChild).toBe(0);

    // The owner restarts the child (credentials were renewed): the new generation serves.
    await h.channel.exit('restarted by its owner');
    await h.channel.respawn();
    await waitFor('the new child to be ready', () => h.upstream.readiness().ready);
    session.receive({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'ok' } });
    expect((await peer.waitForResponse(3)).message).toMatchObject({ id: 3, result: { content: [{ text: 'fine' }] } });
    session.close();
  });

  test("without a rewrite, clients get a bridge error naming the child's answer, not its misleading code", async () => {
    const h = startShared({}, () => ({ refuseInitialize: true }));
    await h.upstream.start();
    const { peer, session } = openRawSession(h.upstream, 'plain');
    session.receive({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const { message } = await peer.waitForResponse(1);
    expect(message).toMatchObject({
      error: {
        code: -32603,
        data: { server: 'fixture', reason: 'initialize-refused', childError: { code: -32602, message: 'MCP error -32602: Invalid request parameters' } },
      },
    });
    expect((message as { error: ChildError }).error.message).toMatch(/refused the bridge's initialize \(error -32602: .*Invalid request parameters\).*until it is restarted/);
    session.close();
  });
});

describe('onChildResponse', () => {
  test("hears the bridge's own initialize (origin bridge) and every answer to clients (origin client), before any rewrite", async () => {
    const heard: Array<[ChildResponse, ChildResponseContext]> = [];
    const h = startShared({ onChildResponse: (response, context) => heard.push([response, context]), rewriteError: () => EXPIRED });
    await h.upstream.start();
    const a = await connect(h, 'a');
    await a.client.callTool({ name: 'ok', arguments: {} });
    await errorOf(a.client.callTool({ name: 'fail', arguments: { code: -32602 } }));

    expect(heard.map(([response, context]) => [response.kind, context.method, context.origin])).toEqual([
      ['result', 'initialize', 'bridge'],
      ['result', 'tools/call', 'client'],
      ['error', 'tools/call', 'client'],
    ]);
    expect(heard[2][0]).toEqual({ kind: 'error', error: { code: -32602, message: 'MCP error -32602: Invalid request parameters', data: '' } });
    // The client's own initialize was answered from the bridge's cache: not an answer of the child.
    expect(heard.filter(([, context]) => context.method === 'initialize')).toHaveLength(1);
  });

  test('a throwing observer is logged and the answer still arrives', async () => {
    const warnings: string[] = [];
    const logger = { error: () => {}, info: () => {}, debug: () => {}, warn: (message: string) => void warnings.push(message) };
    const h = startShared({ logger, onChildResponse: () => { throw new Error('observer bug'); } });
    await h.upstream.start();
    const a = await connect(h, 'a');
    await expect(a.client.callTool({ name: 'ok', arguments: {} })).resolves.toMatchObject({ content: [{ text: 'fine' }] });
    expect(warnings).toContain('onChildResponse threw');
  });
});

describe('per-session mode', () => {
  function perSession(options: Partial<UpstreamOptions>, behaviour: ServerBehaviour): PerSessionUpstream {
    const upstream = new PerSessionUpstream({
      name: 'fixture',
      mode: 'per-session',
      createChannel: () => new InProcessChannel('fixture', { makeServer: () => makeServer(behaviour) }),
      ...options,
    });
    closers.push(() => upstream.close());
    return upstream;
  }

  test("the client's own initialize refused by its child arrives rewritten; the probe's refusal shows in readiness", async () => {
    const heard: Array<[ChildResponse, ChildResponseContext]> = [];
    const calls: Array<[ChildError, ChildErrorContext]> = [];
    const upstream = perSession({ rewriteError: recordingRewrite(calls), onChildResponse: (r, c) => heard.push([r, c]) }, { refuseInitialize: true });
    await upstream.start();
    expect(upstream.readiness()).toMatchObject({ ready: false, reason: EXPIRED.message });
    expect(heard[0]).toEqual([{ kind: 'error', error: expect.objectContaining({ code: -32602 }) }, { server: 'fixture', method: 'initialize', origin: 'bridge' }]);

    const error = await errorOf(connectClient(upstream, 'refused'));
    expect(error.code).toBe(-32010);
    expect(calls.at(-1)?.[1]).toEqual({ server: 'fixture', method: 'initialize' });
    expect(heard.at(-1)?.[1]).toEqual({ server: 'fixture', method: 'initialize', origin: 'client' });
  });

  test("a session child's result is turned into the owner's error as in shared mode", async () => {
    const upstream = perSession({ rewriteResult: expiredResultRewrite() }, {});
    await upstream.start();
    const a = await connectClient(upstream, 'a');
    clients.push(a);
    const error = await errorOf(a.client.callTool({ name: 'soft-fail', arguments: { text: 'session expired' } }));
    expect(error.code).toBe(-32010);
  });

  test('tool errors of a session child are rewritten as in shared mode', async () => {
    const upstream = perSession({ rewriteError: recordingRewrite([]) }, {});
    await upstream.start();
    const a = await connectClient(upstream, 'a');
    clients.push(a);
    const error = await errorOf(a.client.callTool({ name: 'fail', arguments: { code: -32602 } }));
    expect(error.code).toBe(-32010);
    expect(error.data).toEqual({ reason: 'login-expired' });
  });
});

describe('the 2026-07-28 era', () => {
  test('a forwarded tools/call gets the rewritten error on the modern wire', async () => {
    const h = startShared({ rewriteError: recordingRewrite([]) });
    await h.upstream.start();
    const state = new ModernState(h.upstream);
    const http: HttpServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => void handleModernRequest(req, res, { state, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
    const body = { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'fail', arguments: { code: -32602 }, _meta: envelope() } };

    const answer = await postRaw(url, body, headersFor(body));

    expect(answer.message).toEqual({ jsonrpc: '2.0', id: 9, error: EXPIRED });
  });
});
