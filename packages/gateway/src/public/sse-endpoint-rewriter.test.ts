import { Readable } from 'node:stream';
import { eventEnd, publicEndpointPath, rewriteEndpointEvent, SseEndpointRewriter } from './sse-endpoint-rewriter.js';

const PREFIX = '/agents/agt_1';
const rewrite = (endpoint: string) => publicEndpointPath(endpoint, PREFIX);

async function through(chunks: (string | Buffer)[]): Promise<{ out: string; pieces: number }> {
  const rewriter = new SseEndpointRewriter(rewrite);
  const pieces: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from(chunks.map((c) => Buffer.from(c))).pipe(rewriter).on('data', (b: Buffer) => pieces.push(b)).on('end', resolve).on('error', reject);
  });
  return { out: Buffer.concat(pieces).toString('utf8'), pieces: pieces.length };
}

describe('SseEndpointRewriter', () => {
  it('rewrites the endpoint event and passes the rest through', async () => {
    const { out } = await through(['event: endpoint\ndata: /servers/aws/message?sessionId=1\n\n', 'event: message\ndata: {"a":"/servers/x"}\n\n']);
    expect(out).toBe(`event: endpoint\ndata: ${PREFIX}/servers/aws/message?sessionId=1\n\nevent: message\ndata: {"a":"/servers/x"}\n\n`);
  });

  it('finds the event when it is split across chunks, byte by byte', async () => {
    const text = 'event: endpoint\r\ndata: /servers/aws/message?sessionId=é\r\n\r\n';
    const bytes = Buffer.from(text);
    const { out } = await through([...bytes].map((b) => Buffer.from([b])));
    expect(out).toBe(`event: endpoint\r\ndata: ${PREFIX}/servers/aws/message?sessionId=é\r\n\r\n`);
  });

  it('relays events before the endpoint event unchanged and only rewrites the first endpoint event', async () => {
    const { out } = await through([': hi\n\nevent: endpoint\ndata:/servers/a/message?sessionId=2\n\nevent: endpoint\ndata: /servers/a/message?sessionId=3\n\n']);
    expect(out).toBe(`: hi\n\nevent: endpoint\ndata: ${PREFIX}/servers/a/message?sessionId=2\n\nevent: endpoint\ndata: /servers/a/message?sessionId=3\n\n`);
  });

  it('passes every later chunk on as its own piece (no buffering after the endpoint)', async () => {
    const { out, pieces } = await through(['event: endpoint\ndata: /servers/a/message\n\n', 'data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n']);
    expect(out).toContain('data: 1\n\ndata: 2\n\ndata: 3\n\n');
    expect(pieces).toBe(4);
  });

  it('gives up scanning a stream with no endpoint event after 64 KiB and passes it through', async () => {
    const big = `data: ${'x'.repeat(70 * 1024)}`;
    const { out } = await through([big, '\n\n']);
    expect(out).toBe(`${big}\n\n`);
  });

  it('passes an unterminated tail on at the end', async () => {
    expect((await through(['data: partial'])).out).toBe('data: partial');
  });
});

describe('SSE helpers', () => {
  it('finds the end of the first event for LF, CRLF and CR line breaks', () => {
    expect(eventEnd('a: 1\n\nrest')).toBe(6);
    expect(eventEnd('a: 1\r\n\r\nrest')).toBe(8);
    expect(eventEnd('a: 1\r\rrest')).toBe(6);
    expect(eventEnd('a: 1\n')).toBe(-1);
    expect(eventEnd('a: 1\r\n\r')).toBe(-1); // the last CR may be half a CRLF
  });

  it('only rewrites endpoint events', () => {
    expect(rewriteEndpointEvent('event: message\ndata: /servers/a\n\n', rewrite)).toBeNull();
  });

  it('maps agent paths and absolute URLs onto the public prefix, leaving other values alone', () => {
    expect(publicEndpointPath('/servers/aws/message?sessionId=abc', PREFIX)).toBe(`${PREFIX}/servers/aws/message?sessionId=abc`);
    expect(publicEndpointPath('http://100.96.0.2:8000/servers/aws/message?sessionId=abc', PREFIX)).toBe(`${PREFIX}/servers/aws/message?sessionId=abc`);
    expect(publicEndpointPath('/elsewhere', PREFIX)).toBe('/elsewhere');
  });
});
