import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { fixtureCommand, nextEvent, request, resultOf, TestResources } from '../test-fixtures/helpers';

// A message JSON.stringify cannot write (nested past the stack) must not leave its request
// waiting forever: the request gets an error for its id, and the child goes on.

const resources = new TestResources();
afterEach(() => resources.cleanup());

/** An object nested `levels` deep, built without recursion. */
function nested(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let i = 0; i < levels; i += 1) {
    const child: Record<string, unknown> = {};
    node.a = child;
    node = child;
  }
  return root;
}

describe('a message that cannot be serialized', () => {
  it('answers its request with an error for its id, at once, and the child keeps answering', async () => {
    const server = resources.server({ name: 'deep', command: fixtureCommand() });
    await server.start();
    const answer = nextEvent<[JSONRPCMessage, number]>(server, 'message', (message) => 'id' in message && message.id === 'too-deep', 5_000);
    expect(server.send({ jsonrpc: '2.0', id: 'too-deep', method: 'echo', params: { deep: nested(100_000) } })).toBe(true);
    const [message] = await answer;
    expect(message).toMatchObject({ jsonrpc: '2.0', id: 'too-deep', error: { code: -32603, message: expect.stringContaining('could not be written to server "deep"') } });
    expect(resultOf((await request(server, 'echo', { after: true })).message)).toEqual({ after: true });
  });

  it('a notification that cannot be serialized is dropped (send returns false), with nobody waiting', async () => {
    const server = resources.server({ name: 'deep', command: fixtureCommand() });
    await server.start();
    expect(server.send({ jsonrpc: '2.0', method: 'notifications/message', params: { deep: nested(100_000) } })).toBe(false);
    expect(resultOf((await request(server, 'echo', { still: 1 })).message)).toEqual({ still: 1 });
  });
});
