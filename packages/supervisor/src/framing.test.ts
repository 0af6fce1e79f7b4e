import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { isJsonRpcMessage } from './json-rpc-message';
import { LineSplitter } from './line-splitter';
import { MAX_MESSAGE_DEPTH, nestedDeeperThan } from './json-depth';
import { OVERSIZE_END_BYTES } from './line-splitter';
import { MessageFramer } from './message-framer';
import { peekEnvelope } from './oversize-envelope';
import { RecordingLogger } from '../test-fixtures/helpers';

function splitter(maxLineBytes: number) {
  const lines: string[] = [];
  const oversize: number[] = [];
  const ends: Array<{ head: string; tail: string }> = [];
  const instance = new LineSplitter(maxLineBytes, {
    onLine: (line) => lines.push(line),
    onOversize: (bytes, lineEnds) => {
      oversize.push(bytes);
      ends.push({ head: lineEnds.head.toString(), tail: lineEnds.tail.toString() });
    },
  });
  return { instance, lines, oversize, ends };
}

function framer(maxMessageBytes = 1024) {
  const messages: JSONRPCMessage[] = [];
  const logger = new RecordingLogger();
  const instance = new MessageFramer({ server: 'demo', maxMessageBytes, logger, onMessage: (m) => messages.push(m) });
  return { instance, messages, logger };
}

const request = (id: number) => ({ jsonrpc: '2.0' as const, id, method: 'tools/list' });
const line = (value: unknown) => `${JSON.stringify(value)}\n`;

describe('LineSplitter', () => {
  it('joins a line split across chunks, even inside a multi-byte character', () => {
    const { instance, lines } = splitter(100);
    const bytes = Buffer.from('héllo wörld\n');
    for (let i = 0; i < bytes.length; i += 1) instance.push(bytes.subarray(i, i + 1));
    expect(lines).toEqual(['héllo wörld']);
  });

  it('cuts several lines out of one chunk and keeps the rest for later', () => {
    const { instance, lines } = splitter(100);
    instance.push(Buffer.from('one\ntwo\nthr'));
    expect(lines).toEqual(['one', 'two']);
    instance.push(Buffer.from('ee\n'));
    expect(lines).toEqual(['one', 'two', 'three']);
  });

  it('strips the \\r of \\r\\n line ends, also when the \\r ends one chunk and the \\n starts the next', () => {
    const { instance, lines } = splitter(100);
    instance.push(Buffer.from('a\r\nb\r'));
    instance.push(Buffer.from('\nc\rd\n'));
    expect(lines).toEqual(['a', 'b', 'c\rd']);
  });

  it('drops a line over the cap, reports its full size once, and goes on with the next line', () => {
    const { instance, lines, oversize } = splitter(10);
    instance.push(Buffer.from('short\n' + 'x'.repeat(8)));
    instance.push(Buffer.from('y'.repeat(30)));
    instance.push(Buffer.from('z'.repeat(2) + '\r\nafter\n'));
    expect(lines).toEqual(['short', 'after']);
    expect(oversize).toEqual([40]);
  });

  it('drops an oversize line that arrives whole in one chunk', () => {
    const { instance, lines, oversize } = splitter(10);
    instance.push(Buffer.from(`ok\n${'q'.repeat(25)}\nnext\n`));
    expect(lines).toEqual(['ok', 'next']);
    expect(oversize).toEqual([25]);
  });

  it('accepts a line of exactly the cap, with or without \\r', () => {
    const { instance, lines, oversize } = splitter(5);
    instance.push(Buffer.from('12345\n'));
    instance.push(Buffer.from('123'));
    instance.push(Buffer.from('45\r'));
    instance.push(Buffer.from('\n123456\n'));
    expect(lines).toEqual(['12345', '12345']);
    expect(oversize).toEqual([6]);
  });

  it('does not keep the bytes of an oversize line while discarding it', () => {
    const { instance } = splitter(1024);
    for (let i = 0; i < 64; i += 1) instance.push(Buffer.alloc(64 * 1024, 0x61));
    const internals = instance as unknown as { pending: Buffer[]; pendingBytes: number };
    expect(internals.pending).toHaveLength(0);
    expect(internals.pendingBytes).toBe(0);
  });

  it('delivers a last line without a newline when the stream ends', () => {
    const { instance, lines } = splitter(100);
    instance.push(Buffer.from('first\nlast'));
    instance.end();
    expect(lines).toEqual(['first', 'last']);
  });
});

describe('MessageFramer', () => {
  it('emits each JSON-RPC message, across chunk boundaries and several per chunk', () => {
    const { instance, messages } = framer();
    const text = line(request(1)) + line(request(2)) + line({ jsonrpc: '2.0', method: 'notifications/initialized' });
    instance.push(Buffer.from(text.slice(0, 7)));
    instance.push(Buffer.from(text.slice(7, 60)));
    instance.push(Buffer.from(text.slice(60)));
    expect(messages).toEqual([request(1), request(2), { jsonrpc: '2.0', method: 'notifications/initialized' }]);
  });

  it('handles \\r\\n line ends', () => {
    const { instance, messages } = framer();
    instance.push(Buffer.from(`${JSON.stringify(request(1))}\r\n${JSON.stringify(request(2))}\r\n`));
    expect(messages).toEqual([request(1), request(2)]);
  });

  it('drops an oversize message with one warning naming its size and the server, then delivers the next', () => {
    const { instance, messages, logger } = framer(100);
    const big = line({ jsonrpc: '2.0', id: 9, result: { text: 'x'.repeat(500) } });
    instance.push(Buffer.from(big + line(request(10))));
    expect(messages).toEqual([expect.objectContaining({ id: 9, error: expect.any(Object) }), request(10)]);
    const warnings = logger.records.filter((r) => r.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toContain(`${big.length - 1} bytes`);
    expect(warnings[0].message).toContain('"demo"');
    expect(warnings[0].meta).toMatchObject({ server: 'demo' });
  });

  it('skips a non-JSON line with a truncated warning and goes on', () => {
    const { instance, messages, logger } = framer();
    instance.push(Buffer.from(`Starting server v1.2 ${'.'.repeat(500)}\n${line(request(3))}`));
    expect(messages).toEqual([request(3)]);
    const warning = logger.find((r) => r.level === 'warn');
    expect(warning?.message).toMatch(/not JSON; skipped it.*Starting server v1\.2/);
    expect(warning!.message.length).toBeLessThan(400);
  });

  it('skips JSON that is not a JSON-RPC message, and blank lines silently', () => {
    const { instance, messages, logger } = framer();
    instance.push(Buffer.from(`\n{"hello":"world"}\n[1,2]\n   \n${line(request(4))}`));
    expect(messages).toEqual([request(4)]);
    expect(logger.records.filter((r) => r.level === 'warn')).toHaveLength(2);
  });
});

describe('LineSplitter: the ends of a dropped line', () => {
  it('keeps the first and last bytes of a line dropped while it streamed in, bounded whatever its size', () => {
    const { instance, ends, oversize } = splitter(1024);
    instance.push(Buffer.from('HEAD' + 'a'.repeat(1000)));
    for (let i = 0; i < 100; i += 1) instance.push(Buffer.alloc(64 * 1024, 0x62));
    instance.push(Buffer.from('c'.repeat(10_000) + 'TAIL\r\nnext\n'));
    expect(oversize).toEqual([1004 + 100 * 64 * 1024 + 10_004]);
    expect(ends[0]!.head).toBe(`HEAD${'a'.repeat(1000)}${'b'.repeat(OVERSIZE_END_BYTES - 1004)}`);
    expect(ends[0]!.tail).toBe(`${'c'.repeat(OVERSIZE_END_BYTES - 5)}TAIL\r`);
  });

  it('keeps the ends of a line that arrives whole in one chunk, and all of a short one', () => {
    const { instance, ends } = splitter(10);
    instance.push(Buffer.from(`${'<'.repeat(5000)}middle${'>'.repeat(5000)}\nshort line!\n`));
    expect(ends[0]).toEqual({ head: '<'.repeat(OVERSIZE_END_BYTES), tail: '>'.repeat(OVERSIZE_END_BYTES) });
    expect(ends[1]).toEqual({ head: 'short line!', tail: 'short line!' });
  });
});

describe('peekEnvelope', () => {
  const body = (n: number) => ({ content: [{ type: 'text', text: 'x'.repeat(n) }] });
  /** A line as the splitter would hand over its ends: the first and last 200 characters. */
  const ends = (value: unknown): [string, string] => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return [text.slice(0, 200), text.slice(-200)];
  };

  it('finds the id after the result (the SDK writes {"result":…,"jsonrpc":"2.0","id":7}) and before it', () => {
    expect(peekEnvelope(...ends({ result: body(1000), jsonrpc: '2.0', id: 7 }))).toEqual({ kind: 'response', id: 7 });
    expect(peekEnvelope(...ends({ jsonrpc: '2.0', id: 'call-"1"', result: body(1000) }))).toEqual({ kind: 'response', id: 'call-"1"' });
    expect(peekEnvelope(...ends({ jsonrpc: '2.0', id: 3, error: { code: 1, message: 'm', data: 'y'.repeat(1000) } }))).toEqual({ kind: 'response', id: 3 });
    expect(peekEnvelope(...ends(` \t{ "jsonrpc" : "2.0" , "id" : 12 , "result" : ${JSON.stringify(body(1000))} } \r`))).toEqual({ kind: 'response', id: 12 });
  });

  it('counts only members of the outermost object: an "id" inside the result or inside a string is not the id', () => {
    const inResult = { result: { items: [{ id: 99 }], pad: 'x'.repeat(1000), tail: { id: 98 } }, jsonrpc: '2.0' };
    expect(peekEnvelope(...ends(inResult))).toEqual({ kind: 'unknown' });
    const inString = { result: { text: `${'x'.repeat(1000)}","id":97}` }, jsonrpc: '2.0' };
    expect(peekEnvelope(...ends(inString))).toEqual({ kind: 'unknown' });
    const escapes = { result: { text: `${'x'.repeat(1000)}\\","id":96,"a":"\\\"` }, id: 5, jsonrpc: '2.0' };
    expect(peekEnvelope(...ends(escapes))).toEqual({ kind: 'response', id: 5 });
  });

  it('tells requests and notifications of the server from answers', () => {
    expect(peekEnvelope(...ends({ jsonrpc: '2.0', id: 4, method: 'sampling/createMessage', params: body(1000) }))).toEqual({ kind: 'request', id: 4 });
    expect(peekEnvelope(...ends({ method: 'notifications/message', params: body(1000), jsonrpc: '2.0' }))).toEqual({ kind: 'notification' });
  });

  it('does not guess when neither end holds the id, or the line is no JSON object', () => {
    expect(peekEnvelope(...ends({ result: body(1000), id: 8, more: body(1000) }))).toEqual({ kind: 'unknown' });
    expect(peekEnvelope(...ends(`[${JSON.stringify(body(1000))}]`))).toEqual({ kind: 'unknown' });
    expect(peekEnvelope(...ends('Starting server… ' + 'log '.repeat(300)))).toEqual({ kind: 'unknown' });
    expect(peekEnvelope(...ends({ jsonrpc: '2.0', id: 1.5, result: body(1000) }))).toEqual({ kind: 'unknown' });
  });
});

describe('MessageFramer: answers that cannot be carried', () => {
  it('turns an oversize answer into an error to its request naming the limit and the setting, whichever end holds the id', () => {
    const { instance, messages, logger } = framer(4096);
    instance.push(Buffer.from(line({ result: { text: 'x'.repeat(100_000) }, jsonrpc: '2.0', id: 'big' })));
    instance.push(Buffer.from(line({ jsonrpc: '2.0', id: 2, result: { text: 'y'.repeat(100_000) } }).replace('\n', '\r\n')));
    expect(messages).toEqual([
      { jsonrpc: '2.0', id: 'big', error: { code: -32603, message: expect.stringContaining('over the limit of 4096 bytes (4 KiB)'), data: expect.objectContaining({ limit: 4096 }) } },
      { jsonrpc: '2.0', id: 2, error: expect.objectContaining({ code: -32603 }) },
    ]);
    const error = (messages[0] as { error: { message: string } }).error.message;
    expect(error).toContain('"demo"');
    expect(error).toContain('limits.maxMessageBytes');
    expect(logger.records.filter((r) => r.level === 'warn')).toHaveLength(2);
  });

  it('only logs an oversize request or notification of the server: no request of ours waits for it', () => {
    const { instance, messages, logger } = framer(4096);
    instance.push(Buffer.from(line({ jsonrpc: '2.0', id: 5, method: 'sampling/createMessage', params: { text: 'x'.repeat(10_000) } })));
    instance.push(Buffer.from(line({ jsonrpc: '2.0', method: 'notifications/message', params: { text: 'x'.repeat(10_000) } })));
    expect(messages).toEqual([]);
    expect(logger.records.filter((r) => r.level === 'warn').map((r) => r.message)).toEqual([
      expect.stringContaining('stdout request of'),
      expect.stringContaining('stdout notification of'),
    ]);
  });

  it(`turns an answer nested deeper than ${MAX_MESSAGE_DEPTH} levels into an error to its request, and drops other deep messages`, () => {
    const { instance, messages } = framer(1024 * 1024);
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    instance.push(Buffer.from(`{"jsonrpc":"2.0","id":3,"result":{"data":${deep(5000)}}}\n`));
    instance.push(Buffer.from(`{"jsonrpc":"2.0","method":"notifications/message","params":{"data":${deep(5000)}}}\n`));
    instance.push(Buffer.from(`{"jsonrpc":"2.0","id":4,"result":{"data":${deep(MAX_MESSAGE_DEPTH - 2)}}}\n`));
    expect(messages).toHaveLength(2);
    expect(messages[0]).toEqual({ jsonrpc: '2.0', id: 3, error: { code: -32603, message: expect.stringContaining(`more than ${MAX_MESSAGE_DEPTH} levels`), data: expect.any(Object) } });
    expect(messages[1]).toMatchObject({ id: 4, result: {} });
  });
});

describe('nestedDeeperThan', () => {
  it('measures objects and arrays, the value itself as level 1, without recursion', () => {
    expect(nestedDeeperThan('text', 0)).toBe(false);
    expect(nestedDeeperThan({}, 1)).toBe(false);
    expect(nestedDeeperThan({ a: [1, { b: 'x' }] }, 3)).toBe(false);
    expect(nestedDeeperThan({ a: [1, { b: 'x' }] }, 2)).toBe(true);
    expect(nestedDeeperThan(JSON.parse(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`), 128)).toBe(true);
  });
});

describe('isJsonRpcMessage', () => {
  const valid: unknown[] = [
    { jsonrpc: '2.0', id: 1, method: 'ping' },
    { jsonrpc: '2.0', id: 'abc', method: 'tools/call', params: { name: 'x' } },
    { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } },
    { jsonrpc: '2.0', id: 2, result: {} },
    { jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'nope' } },
    { jsonrpc: '2.0', error: { code: -32700, message: 'parse error', data: 'x' } },
  ];
  const invalid: unknown[] = [
    null,
    [],
    'text',
    { id: 1, method: 'ping' },
    { jsonrpc: '1.0', id: 1, method: 'ping' },
    { jsonrpc: '2.0', id: 1.5, method: 'ping' },
    { jsonrpc: '2.0', id: null, method: 'ping' },
    { jsonrpc: '2.0', id: 1, method: 7 },
    { jsonrpc: '2.0', id: 2, result: 'not an object' },
    { jsonrpc: '2.0', result: {} },
    { jsonrpc: '2.0', id: 3, error: { code: 'x', message: 'nope' } },
    { jsonrpc: '2.0', id: 3, error: { code: 1 } },
    { jsonrpc: '2.0', id: 4 },
  ];

  it.each(valid)('accepts %j, as the SDK schema does', (value) => {
    expect(isJsonRpcMessage(value)).toBe(true);
    expect(JSONRPCMessageSchema.safeParse(value).success).toBe(true);
  });

  it.each(invalid)('rejects %j, as the SDK schema does', (value) => {
    expect(isJsonRpcMessage(value)).toBe(false);
    expect(JSONRPCMessageSchema.safeParse(value).success).toBe(false);
  });
});
