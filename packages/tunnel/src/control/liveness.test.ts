import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { DEFAULT_CONTROL_TIMING } from './control-channel.js';
import { Liveness } from './liveness.js';

/**
 * The protocol's real 20 s / 20 s over a real WebSocket pair on 127.0.0.1, with Jest's fake
 * clock for the timers only: the pings and pongs themselves travel for real.
 */
let server: WebSocketServer;
let client: WebSocket;
let pingsAtServer: number;
let pongsAtClient: number;
let liveness: Liveness | undefined;

async function connect(autoPong: boolean): Promise<void> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong });
  await new Promise((resolve) => server.once('listening', resolve));
  pingsAtServer = 0;
  pongsAtClient = 0;
  server.on('connection', (ws) => ws.on('ping', () => (pingsAtServer += 1)));
  client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  client.on('pong', () => (pongsAtClient += 1));
  await new Promise((resolve) => client.once('open', resolve));
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask', 'Date', 'performance'] });
}

/** Lets real socket I/O happen (the fake clock stands still) until `check` holds. */
async function untilIo(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

afterEach(async () => {
  liveness?.stop();
  liveness = undefined;
  jest.useRealTimers();
  client.terminate();
  await new Promise((resolve) => server.close(resolve));
});

test('pings every 20 s and declares the connection dead 20 s after an unanswered ping', async () => {
  await connect(false);
  const deaths: string[] = [];
  liveness = new Liveness(client, DEFAULT_CONTROL_TIMING, (why) => deaths.push(why));
  liveness.start();

  await jest.advanceTimersByTimeAsync(19_999);
  expect(pingsAtServer).toBe(0);
  await jest.advanceTimersByTimeAsync(1);
  await untilIo(() => pingsAtServer === 1, 'the first ping');

  await jest.advanceTimersByTimeAsync(19_999);
  expect(deaths).toEqual([]);
  await jest.advanceTimersByTimeAsync(1);
  expect(deaths).toEqual(['no pong within 20000 ms of a ping: the connection is dead']);
});

test('answered pings keep the connection alive indefinitely', async () => {
  await connect(true);
  const deaths: string[] = [];
  liveness = new Liveness(client, DEFAULT_CONTROL_TIMING, (why) => deaths.push(why));
  liveness.start();
  for (let n = 1; n <= 5; n += 1) {
    await jest.advanceTimersByTimeAsync(20_000);
    await untilIo(() => pongsAtClient === n, `pong ${n}`);
  }
  await jest.advanceTimersByTimeAsync(19_999);
  expect(deaths).toEqual([]);
});
