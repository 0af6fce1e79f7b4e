import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanUp, FIXTURES, postMcp, rawRequest, startDaemon, waitFor } from './support';

// per-session mode serves each 2026-07-28 request with a child of its own, initialized with
// that request's envelope (docs/protocol-eras.md, T5). The spare child waiting for the next
// request must stay plain: initialized ahead with one request's capabilities, it is
// unusable for the next request that declares others, which then waits for a fresh spawn
// (hundreds of ms, seconds for an uvx server). Counted from outside: every start of the
// server appends a line to a file, through the built CLI (the daemon's request counting
// sits between the bridge's layers, and once dropped what told the bridge this).

let workDir: string;

beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'mcpw-per-session-modern-'));
});

afterEach(async () => {
  await cleanUp();
  rmSync(workDir, { recursive: true, force: true });
});

function startsIn(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

function modernToolsList(id: number, clientCapabilities: Record<string, unknown>): Record<string, unknown> {
  const _meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'e2e-modern', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': clientCapabilities,
  };
  return { jsonrpc: '2.0', id, method: 'tools/list', params: { _meta } };
}

test('per-session: 2026-07-28 requests with differing capabilities each take the waiting spare; no start is wasted', async () => {
  const starts = join(workDir, 'starts');
  const server = `echo started >> '${starts}'; exec '${process.execPath}' '${join(FIXTURES, 'conformance-server.js')}'`;
  const daemon = await startDaemon(['up', '--port', '0', '--admin', join(workDir, 'admin.sock'), '--tunnel', 'false', '--session-mode', 'per-session', '--', 'sh', '-c', server]);
  await waitFor(async () => (await rawRequest(`${daemon.origin}/readyz`)).status === 200, { what: '/readyz to answer 200' });
  await waitFor(() => startsIn(starts) === 2, { what: 'the start-up probe and the first spare to start' });

  const capabilities = [{}, { elicitation: {} }, { sampling: {} }, { elicitation: {}, roots: { listChanged: true } }];
  for (const [index, declared] of capabilities.entries()) {
    const answer = await postMcp(daemon.endpoint, modernToolsList(index + 1, declared), { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' });
    expect(answer.status).toBe(200);
    expect(answer.messages).toEqual([expect.objectContaining({ id: index + 1, result: expect.objectContaining({ tools: expect.any(Array) }) })]);
    // The request took the spare (spawned before it came) and one new spare replaces it.
    await waitFor(() => startsIn(starts) >= 3 + index, { what: `the spare taken by request ${index + 1} to be replaced` });
  }
  // A spare initialized ahead with the previous request's capabilities would have been
  // stopped at each request and a fresh child spawned in its place: one start more each.
  expect(startsIn(starts)).toBe(2 + capabilities.length);
}, 60_000);
