import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { BoundedEventStore } from './event-store.js';

const note = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: n } });

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

  it('rejects ids it never issued', async () => {
    const store = new BoundedEventStore({ eventsPerStream: 10 });
    expect(await store.getStreamIdForEventId('garbage')).toBeUndefined();
    expect(await store.getStreamIdForEventId('s_notanumber')).toBeUndefined();
  });
});
