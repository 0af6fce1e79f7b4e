import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { isJsonRpcMessage } from './json-rpc-message';
import { LineSplitter } from './line-splitter';
import { MessageFramer } from './message-framer';
import { RecordingLogger } from '../test-fixtures/helpers';

function splitter(maxLineBytes: number) {
  const lines: string[] = [];
  const oversize: number[] = [];
  const instance = new LineSplitter(maxLineBytes, {
    onLine: (line) => lines.push(line),
    onOversize: (bytes) => oversize.push(bytes),
  });
  return { instance, lines, oversize };
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
    expect(messages).toEqual([request(10)]);
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
