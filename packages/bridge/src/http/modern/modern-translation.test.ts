import type { IncomingMessage } from 'node:http';
import { decodeHeaderValue } from './headers.js';
import { claimsModernEnvelope, isModernRequest } from './index.js';
import { honoredFilter } from './listen-stream.js';
import { toChildRequest } from './to-child.js';
import { toInputRequest, toModernError, toModernResult } from './to-modern.js';
import { validateModernMessage } from './validate.js';
import { envelope } from './test-support/modern-harness.js';

/** The pure pieces: era detection, the translations listed in to-child.ts / to-modern.ts, header decoding. */

function requestWithHeaders(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('era detection from headers only', () => {
  test.each([
    [{ 'mcp-protocol-version': '2026-07-28' }, true],
    [{ 'mcp-protocol-version': ' 2026-07-28 ' }, true],
    [{ 'mcp-protocol-version': '2099-01-01' }, true],
    [{ 'mcp-protocol-version': '2025-11-25' }, false],
    // A version no era knows, outside a session: the modern path answers -32022 under the request's id.
    [{ 'mcp-protocol-version': 'not-a-version' }, true],
    [{ 'mcp-protocol-version': 'v999.0.0' }, true],
    // Inside a session it stays legacy: the SDK refuses it as that session's client expects.
    [{ 'mcp-protocol-version': 'not-a-version', 'mcp-session-id': 'abc' }, false],
    [{ 'mcp-protocol-version': '2024-11-05' }, false],
    [{ 'mcp-method': 'tools/list' }, false],
    [{}, false],
  ])('%j -> %s', (headers, modern) => {
    expect(isModernRequest(requestWithHeaders(headers))).toBe(modern);
  });

  test('a body that claims the modern envelope without the header is recognised, and validation names the missing header', () => {
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: envelope() } };

    expect(claimsModernEnvelope(body)).toBe(true);
    expect(claimsModernEnvelope({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25' } })).toBe(false);
    const validation = validateModernMessage(body, { method: 'tools/list' }, { legacyVersions: [] });
    expect(validation).toMatchObject({ ok: false, rejection: { status: 400, code: -32020 } });
    expect(!validation.ok && validation.rejection.message).toContain('MCP-Protocol-Version header is absent');
  });
});

describe('client -> child', () => {
  test('the envelope and the MRTR retry channel are removed; progressToken and other _meta keys stay', () => {
    const child = toChildRequest({
      jsonrpc: '2.0',
      id: 'a',
      method: 'tools/call',
      params: {
        name: 'echo',
        arguments: { text: 'x' },
        inputResponses: { k: {} },
        requestState: 'opaque',
        _meta: { ...envelope({ 'io.modelcontextprotocol/logLevel': 'info' }), progressToken: 7, traceparent: '00-abc-def-01' },
      },
    });

    expect(child).toEqual({
      jsonrpc: '2.0',
      id: 'a',
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x' }, _meta: { progressToken: 7, traceparent: '00-abc-def-01' } },
    });
  });
});

describe('client -> child: tasks', () => {
  test('task augmentation is removed: a 2026-07-28 client could never fetch the task', () => {
    const child = toChildRequest({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'slow', arguments: {}, task: { ttl: 60_000 }, _meta: envelope() } });

    expect(child).toEqual({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'slow', arguments: {} } });
  });
});

describe('child -> client', () => {
  test('results gain resultType; cacheable ones gain ttlMs/cacheScope unless valid ones came; tools lose execution', () => {
    const tools = toModernResult('tools/list', { tools: [{ name: 't', inputSchema: { type: 'object' }, execution: { taskSupport: 'optional' } }] });
    const read = toModernResult('resources/read', { contents: [], ttlMs: 60_000, cacheScope: 'public' });
    const call = toModernResult('tools/call', { content: [] }, { name: 's', version: '1' });

    expect(tools).toEqual({ tools: [{ name: 't', inputSchema: { type: 'object' } }], ttlMs: 0, cacheScope: 'private', resultType: 'complete' });
    expect(read).toMatchObject({ ttlMs: 60_000, cacheScope: 'public', resultType: 'complete' });
    expect(call).toEqual({ content: [], resultType: 'complete', _meta: { 'io.modelcontextprotocol/serverInfo': { name: 's', version: '1' } } });
  });

  test('-32002 resource not found becomes -32602 with its data; other errors pass unchanged', () => {
    expect(toModernError({ code: -32002, message: 'Resource not found', data: { uri: 'file:///x' } })).toEqual({
      code: -32602,
      message: 'Resource not found',
      data: { uri: 'file:///x' },
    });
    expect(toModernError({ code: -32603, message: 'boom' })).toEqual({ code: -32603, message: 'boom' });
  });

  test('server->client requests become embedded input requests without _meta, task or a URL elicitationId', () => {
    expect(
      toInputRequest({
        jsonrpc: '2.0',
        id: 3,
        method: 'elicitation/create',
        params: { mode: 'url', message: 'Link', url: 'https://example.com', elicitationId: 'e1', _meta: { x: 1 }, task: { ttl: 1 } },
      }),
    ).toEqual({ method: 'elicitation/create', params: { mode: 'url', message: 'Link', url: 'https://example.com' } });
    expect(toInputRequest({ jsonrpc: '2.0', id: 4, method: 'roots/list' })).toEqual({ method: 'roots/list' });
  });

  test('a listen filter is honoured only as far as the child can deliver it', () => {
    const requested = { toolsListChanged: true, promptsListChanged: true, resourceSubscriptions: ['a://1', 'a://1'] };

    expect(honoredFilter(requested, { tools: { listChanged: true }, prompts: {}, resources: { subscribe: true } })).toEqual({
      toolsListChanged: true,
      resourceSubscriptions: ['a://1'],
    });
  });
});

describe('header value encoding (streamable-http#value-encoding)', () => {
  test.each([
    ['us-west1', 'us-west1'],
    ['=?base64?SGVsbG8sIOS4lueVjA==?=', 'Hello, 世界'],
    ['=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=', '=?base64?literal?='],
    ['=?base64?SGVsbG8?=', undefined],
    ['=?base64?//79?=', undefined],
  ])('%s -> %s', (raw, decoded) => {
    expect(decodeHeaderValue(raw)).toBe(decoded);
  });
});
