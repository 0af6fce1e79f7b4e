import { cleanUp, everythingStdioLine, openRawSession, postMcp, startDaemon } from './support';
import type { RawSession } from './support';

// Two sessions share one child and send the same JSON-RPC ids at the same moment: each must
// get its own answers, with its ids restored exactly (a string stays a string, a number a number).

afterEach(cleanUp);

function longCall(id: string | number, seconds: number, steps: number) {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'trigger-long-running-operation', arguments: { duration: seconds, steps } } };
}

function echoCall(id: string | number, message: string) {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { message } } };
}

async function send(url: string, session: RawSession, body: unknown) {
  const response = await postMcp(url, body, session.headers);
  expect(response.status).toBe(200);
  const answers = response.messages.filter((message) => 'id' in message);
  expect(answers).toHaveLength(1);
  return answers[0] as { id: unknown; result?: { content: Array<{ text: string }> }; error?: unknown };
}

describe('sessions sharing one child', () => {
  it('answer the same ids sent at once by two sessions, each with its own result', async () => {
    const daemon = await startDaemon(['bridge', '--stdio', everythingStdioLine(), '--outputTransport', 'streamableHttp', '--stateful', '--port', '0']);
    const [a, b] = await Promise.all([openRawSession(daemon.endpoint), openRawSession(daemon.endpoint)]);
    expect(a.sessionId).not.toBe(b.sessionId);

    // Overlapping in the child: the long calls finish in the opposite order they were sent.
    const [aLong, bLong, aNum, aStr, bNum, bStr] = await Promise.all([
      send(daemon.endpoint, a, longCall(7, 0.6, 2)),
      send(daemon.endpoint, b, longCall(7, 0.2, 1)),
      send(daemon.endpoint, a, echoCall(1, 'a-number')),
      send(daemon.endpoint, a, echoCall('1', 'a-string')),
      send(daemon.endpoint, b, echoCall(1, 'b-number')),
      send(daemon.endpoint, b, echoCall('1', 'b-string')),
    ]);

    expect(aLong.id).toBe(7);
    expect(aLong.result?.content[0].text).toContain('Duration: 0.6 seconds, Steps: 2');
    expect(bLong.id).toBe(7);
    expect(bLong.result?.content[0].text).toContain('Duration: 0.2 seconds, Steps: 1');
    expect(aNum).toMatchObject({ id: 1, result: { content: [{ text: 'Echo: a-number' }] } });
    expect(aStr).toMatchObject({ id: '1', result: { content: [{ text: 'Echo: a-string' }] } });
    expect(bNum).toMatchObject({ id: 1, result: { content: [{ text: 'Echo: b-number' }] } });
    expect(bStr).toMatchObject({ id: '1', result: { content: [{ text: 'Echo: b-string' }] } });
  });
});
