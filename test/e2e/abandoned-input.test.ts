import { join } from 'node:path';
import { cleanUp, CLIENT_ROOT, connectClient, ELICITED_NAME, FIXTURES, postMcp, rawRequest, resultText, SAMPLED_TEXT, startDaemon, waitFor, withDeadline } from './support';
import type { Daemon, RawResponse } from './support';

// Questions of the shared child (sampling, elicitation, roots) through the built CLI, with a
// 2026-07-28 call abandoned in the middle of an elicitation beside them (issue 11): the parked
// call holds its question, and other clients of either era must go on at once. Before, every
// later question of the child found two candidate sessions, waited 2 s and failed with
// "cannot tell which of 2 client sessions…" for as long as the call stayed parked (5 min).

afterEach(cleanUp);

const MODERN = '2026-07-28';

async function up(): Promise<Daemon> {
  const daemon = await startDaemon(['up', '--port', '0', '--tunnel', 'false', '--', process.execPath, join(FIXTURES, 'conformance-server.js')]);
  await waitFor(async () => (await rawRequest(`${daemon.origin}/readyz`)).status === 200, { what: '/readyz to answer 200' });
  return daemon;
}

/** A 2026-07-28 tools/call by hand: the envelope and headers the era requires. */
function modernCall(url: string, id: number, name: string, capabilities: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<RawResponse> {
  const body = {
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: {
      name,
      arguments: {},
      ...extra,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': MODERN,
        'io.modelcontextprotocol/clientInfo': { name: 'e2e-modern', version: '1' },
        'io.modelcontextprotocol/clientCapabilities': capabilities,
      },
    },
  };
  return postMcp(url, body, { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': name });
}

/** The JSON-RPC answer of a POST, whether it came as JSON or as an SSE stream. */
function answerOf(response: RawResponse): { result?: Record<string, unknown>; error?: { message: string } } {
  if (!(response.headers['content-type'] ?? '').startsWith('text/event-stream')) return JSON.parse(response.text);
  const data = response.text
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line.length > 'data: '.length)
    .map((line) => JSON.parse(line.slice('data: '.length)));
  return data[data.length - 1];
}

describe('a 2026-07-28 call abandoned mid-elicitation blocks nobody', () => {
  it("another client's sampling, elicitation and roots work at once, on the same shared child", async () => {
    const daemon = await up();
    // Parked: the child waits for a name that never comes (the client never retries).
    const parked = answerOf(await modernCall(daemon.endpoint, 1, 'test_input_required_result_elicitation', { elicitation: { form: {} } }));
    expect(parked.result).toMatchObject({ resultType: 'input_required', inputRequests: { 'input-1': { method: 'elicitation/create' } } });

    const other = await connectClient('streamableHttp', daemon.endpoint);
    // Well under the 2 s an ambiguous question waits before it fails: a misjudged question shows here.
    const sampled = await withDeadline(other.client.callTool({ name: 'test_sampling', arguments: { prompt: 'hi' } }), 1_500, 'sampling');
    expect(resultText(sampled)).toContain(SAMPLED_TEXT);
    const elicited = await withDeadline(other.client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} }), 1_500, 'elicitation');
    expect(resultText(elicited)).toBe(`Hello, ${ELICITED_NAME}!`);
    const listed = await withDeadline(other.client.callTool({ name: 'test_input_required_result_list_roots', arguments: {} }), 1_500, 'roots');
    expect(resultText(listed)).toContain(CLIENT_ROOT.uri);

    // And a second 2026-07-28 client asks and is answered by MRTR beside the parked call.
    const asked = answerOf(await modernCall(daemon.endpoint, 2, 'test_input_required_result_sampling', { sampling: {} }));
    expect(asked.result).toMatchObject({ resultType: 'input_required', inputRequests: { 'input-1': { method: 'sampling/createMessage' } } });
    const retried = answerOf(
      await modernCall(daemon.endpoint, 3, 'test_input_required_result_sampling', { sampling: {} }, {
        inputResponses: { 'input-1': { role: 'assistant', model: 'e2e', content: { type: 'text', text: 'Paris' } } },
        requestState: asked.result?.requestState,
      }),
    );
    expect(retried.result).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'The model said: Paris' }] });
  });
});

describe("the child's questions of one moment", () => {
  it('reach a 2026-07-28 client as one input_required, every time (they arrive in separate reads)', async () => {
    const daemon = await up();
    const capabilities = { elicitation: { form: {} }, sampling: {}, roots: {} };
    for (let round = 1; round <= 8; round += 1) {
      const answer = answerOf(await modernCall(daemon.endpoint, round, 'test_input_required_result_multiple_inputs', capabilities));
      const methods = Object.values((answer.result?.inputRequests ?? {}) as Record<string, { method: string }>).map((request) => request.method);
      expect({ round, methods: methods.sort() }).toEqual({ round, methods: ['elicitation/create', 'roots/list', 'sampling/createMessage'] });
    }
  });
});
