import { join } from 'node:path';
import { createUpstream, type ClientPeer, type Upstream, type UpstreamSession } from '@mcp-workstation/bridge';
import { SupervisedServer, type Logger } from '@mcp-workstation/supervisor';
import { LATEST_PROTOCOL_VERSION, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { InFlightRequests, SHUTTING_DOWN_CODE } from './in-flight';

// The requests in flight, counted at the upstream seam, over the real supervisor and
// server-everything; a recording peer stands where a transport would.

const everything = join(__dirname, '..', '..', '..', '..', 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

let upstream: Upstream;
let tracker: InFlightRequests;

beforeEach(async () => {
  tracker = new InFlightRequests();
  const channel = new SupervisedServer({ name: 'everything', command: { command: process.execPath, args: [everything, 'stdio'] }, stopGraceMs: 2_000, logger: quiet });
  upstream = tracker.wrap(createUpstream({ name: 'everything', mode: 'shared', createChannel: () => channel, logger: quiet }));
  await upstream.start();
});

afterEach(async () => {
  await upstream.close();
});

interface RecordingPeer extends ClientPeer {
  received: JSONRPCMessage[];
  answerTo(id: number): Promise<JSONRPCMessage>;
}

function recordingPeer(): RecordingPeer {
  const received: JSONRPCMessage[] = [];
  return {
    label: 'test peer',
    stateless: false,
    received,
    send: (message) => received.push(message),
    answerTo: (id) => waitFor(() => received.find((message) => 'id' in message && message.id === id && !('method' in message))),
  };
}

async function openSession(peer: RecordingPeer): Promise<UpstreamSession> {
  const session = upstream.open(peer);
  session.receive({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 't', version: '1' } } });
  await peer.answerTo(0);
  session.receive({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return session;
}

const slowCall = (id: RequestId): JSONRPCMessage => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 1 } } });

test('a request counts from the client until its answer', async () => {
  const peer = recordingPeer();
  const session = await openSession(peer);
  expect(tracker.count()).toBe(0);
  session.receive(slowCall(1));
  expect(tracker.count('everything')).toBe(1);
  await peer.answerTo(1);
  expect(tracker.count()).toBe(0);
  session.close();
});

test('draining: a new request is answered at once with an error; the one in flight finishes; then idle', async () => {
  const peer = recordingPeer();
  const session = await openSession(peer);
  session.receive(slowCall(1));
  tracker.drain();
  session.receive({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'late' } } });
  const refused = (await peer.answerTo(2)) as { error?: { code: number; message: string } };
  expect(refused.error).toMatchObject({ code: SHUTTING_DOWN_CODE, message: expect.stringContaining('shutting down') });
  expect(tracker.count()).toBe(1);
  expect(await tracker.whenIdle(20_000)).toBe(true);
  expect(peer.received.find((message) => 'id' in message && message.id === 1 && 'result' in message)).toBeDefined();
  session.close();
});

test('a cancelled request, and the requests of a closed session, stop counting', async () => {
  const peer = recordingPeer();
  const session = await openSession(peer);
  session.receive(slowCall(1));
  session.receive(slowCall('two'));
  expect(tracker.count()).toBe(2);
  session.receive({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, reason: 'test' } });
  expect(tracker.count()).toBe(1);
  const idle = tracker.whenIdle(5_000);
  session.close();
  expect(await idle).toBe(true);
  expect(tracker.count()).toBe(0);
});

test('whenIdle gives up after its time when a request never ends', async () => {
  const peer = recordingPeer();
  const session = await openSession(peer);
  session.receive({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'trigger-long-running-operation', arguments: { duration: 30, steps: 1 } } });
  expect(await tracker.whenIdle(50)).toBe(false);
  session.close();
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for an answer');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
