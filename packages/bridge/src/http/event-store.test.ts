import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { BoundedEventStore, approximateJsonBytes } from './event-store.js';

const note = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: n } });
/** A notification whose JSON is about `bytes` long, carrying `n`. */
const bigNote = (n: number, bytes: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: n, logger: 'x'.repeat(bytes) } });
const KB = 1024;

async function replay(store: BoundedEventStore, after: string): Promise<{ streamId: string; data: unknown[] }> {
  const data: unknown[] = [];
  const streamId = await store.replayEventsAfter(after, {
    send: async (_id, message) => {
      data.push('params' in message ? message.params?.data : message);
    },
  });
  return { streamId, data };
}

describe('BoundedEventStore', () => {
  it('replays the events of one stream after an id, in order, not those of other streams', async () => {
    const store = new BoundedEventStore({ eventsPerStream: 10 });
    const first = await store.storeEvent('s1', note(1));
    await store.storeEvent('s2', note(100));
    await store.storeEvent('s1', note(2));
    await store.storeEvent('s1', note(3));
    expect(await store.getStreamIdForEventId(first)).toBe('s1');
    expect(await replay(store, first)).toEqual({ streamId: 's1', data: [2, 3] });
  });

  it('keeps the SDK priming event as a resume point but never replays it', async () => {
    const store = new BoundedEventStore({ eventsPerStream: 10 });
    const priming = await store.storeEvent('_GET_stream', {} as JSONRPCMessage);
    await store.storeEvent('_GET_stream', note(1));
    expect(await store.getStreamIdForEventId(priming)).toBe('_GET_stream');
    expect((await replay(store, priming)).data).toEqual([1]);
  });

  it('keeps at most eventsPerStream events, evicting the oldest, and reports the gap', async () => {
    const gaps: string[] = [];
    const store = new BoundedEventStore({ eventsPerStream: 3, onGap: (streamId) => gaps.push(streamId) });
    const first = await store.storeEvent('s', note(1));
    for (let n = 2; n <= 5; n += 1) await store.storeEvent('s', note(n));
    expect(store.size('s')).toBe(3);
    expect((await replay(store, first)).data).toEqual([3, 4, 5]);
    expect(gaps).toEqual(['s']);
  });

  it('keeps at most maxStreams streams, evicting the least recently written', async () => {
    const store = new BoundedEventStore({ eventsPerStream: 10, maxStreams: 2 });
    const a = await store.storeEvent('a', note(1));
    const b = await store.storeEvent('b', note(2));
    await store.storeEvent('a', note(3)); // a is now fresher than b
    await store.storeEvent('c', note(4));
    expect(await store.getStreamIdForEventId(a)).toBe('a');
    expect(await store.getStreamIdForEventId(b)).toBeUndefined();
  });

  it('forgets everything on clear(), so a closed session leaves nothing behind', async () => {
    const store = new BoundedEventStore({ eventsPerStream: 10 });
    const id = await store.storeEvent('s', note(1));
    store.clear();
    expect(store.size('s')).toBe(0);
    expect(await store.getStreamIdForEventId(id)).toBeUndefined();
    await expect(replay(store, id)).rejects.toThrow(/stream is gone/);
  });

  it('keeps at most maxBytes in all, the least recently written stream losing its oldest events first', async () => {
    const gaps: string[] = [];
    const store = new BoundedEventStore({ eventsPerStream: 1000, maxBytes: 100 * KB, onGap: (streamId) => gaps.push(streamId) });
    const finished = await store.storeEvent('post-1', bigNote(1, 30 * KB));
    const get = await store.storeEvent('_GET_stream', bigNote(2, 10 * KB));
    for (let n = 3; n <= 40; n += 1) await store.storeEvent('_GET_stream', bigNote(n, 10 * KB));
    expect(store.bytes).toBeLessThanOrEqual(100 * KB);
    expect(store.bytes).toBeGreaterThan(80 * KB);
    // The finished POST stream went first, whole: resuming it is refused, not left waiting.
    expect(await store.getStreamIdForEventId(finished)).toBeUndefined();
    const replayed = await replay(store, get);
    expect(replayed.data[replayed.data.length - 1]).toBe(40);
    expect(replayed.data.length).toBe(store.size('_GET_stream'));
    expect(replayed.data.length).toBeLessThan(39);
    expect(gaps).toEqual(['_GET_stream']);
  });

  it('keeps the newest event even when it alone is over maxBytes', async () => {
    const store = new BoundedEventStore({ eventsPerStream: 1000, maxBytes: 10 * KB });
    const before = await store.storeEvent('s', bigNote(1, 1 * KB));
    await store.storeEvent('s', bigNote(2, 50 * KB));
    expect(store.size('s')).toBe(1);
    expect((await replay(store, before)).data).toEqual([2]);
    await store.storeEvent('s', bigNote(3, 1 * KB));
    expect(store.size('s')).toBe(1);
    expect(store.bytes).toBeLessThan(10 * KB);
  });

  it('gives back the bytes of streams it forgets and of a cleared session', async () => {
    const store = new BoundedEventStore({ eventsPerStream: 2, maxStreams: 2, maxBytes: 1024 * KB });
    for (let n = 1; n <= 5; n += 1) await store.storeEvent('a', bigNote(n, 10 * KB));
    expect(store.bytes).toBe(2 * approximateJsonBytes(bigNote(1, 10 * KB)));
    await store.storeEvent('b', bigNote(6, 10 * KB));
    await store.storeEvent('c', bigNote(7, 10 * KB)); // evicts a
    expect(store.bytes).toBe(2 * approximateJsonBytes(bigNote(1, 10 * KB)));
    store.clear('b');
    expect(store.bytes).toBe(approximateJsonBytes(bigNote(1, 10 * KB)));
    store.clear();
    expect(store.bytes).toBe(0);
  });

  it('measures a message about as long as its JSON, without recursion', () => {
    const message = { jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'é'.repeat(5000) + 'a'.repeat(100_000) }], isError: false } };
    const exact = JSON.stringify(message).length;
    expect(approximateJsonBytes(message)).toBeGreaterThan(exact * 0.9);
    expect(approximateJsonBytes(message)).toBeLessThan(exact * 1.1);
    let deep: unknown = 'bottom';
    for (let depth = 0; depth < 200_000; depth += 1) deep = { a: [deep] };
    expect(approximateJsonBytes(deep)).toBeGreaterThan(200_000);
  });

  it('rejects ids it never issued', async () => {
    const store = new BoundedEventStore({ eventsPerStream: 10 });
    expect(await store.getStreamIdForEventId('garbage')).toBeUndefined();
    expect(await store.getStreamIdForEventId('s_notanumber')).toBeUndefined();
  });
});
