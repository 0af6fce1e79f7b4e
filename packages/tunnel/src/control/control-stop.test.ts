import { Harness, SECRET, nextEvent, until } from './test-support/agent-harness.js';
import type { GatewaySession } from './test-support/fake-gateway.js';

let h: Harness;

beforeEach(async () => {
  h = await Harness.create();
});

afterEach(async () => {
  try {
    expect(h.gateway.invalidFrames).toEqual([]);
    expect(h.logger.text()).not.toContain(SECRET);
  } finally {
    await h.cleanup();
  }
});

async function welcomedSession(): Promise<GatewaySession> {
  const session = await h.session();
  await session.framesOf('status');
  return session;
}

describe('revocation', () => {
  test('a revoke frame stops the channel for good with "revoked: <reason>"', async () => {
    const channel = await h.started();
    const session = await welcomedSession();
    const revokedEvents: unknown[] = [];
    channel.on('revoked', (event) => revokedEvents.push(event));

    session.send({ type: 'revoke', reason: 'laptop stolen' });
    session.close(4403, 'revoked');
    await session.closed;
    await until(() => revokedEvents.length > 0, 'the revoked event');
    await h.reconnectWindowPassed();

    expect(revokedEvents).toEqual([{ reason: 'laptop stolen' }]);
    expect(channel.state()).toMatchObject({ state: 'stopped', stopCause: 'revoked', reason: 'revoked: laptop stolen' });
    expect(h.gateway.upgradesWith(SECRET)).toBe(1);
    expect(h.logger.at('error')).toEqual(expect.arrayContaining([expect.stringMatching(/^revoked: laptop stolen/)]));
  });

  test('a revoke frame alone is enough: the agent closes and does not come back', async () => {
    const channel = await h.started();
    const session = await welcomedSession();
    const revoked = nextEvent(channel, 'revoked');
    session.send({ type: 'revoke', reason: 'operator' });
    expect(await revoked).toEqual([{ reason: 'operator' }]);
    expect((await session.closed).code).toBe(1000);
    await h.reconnectWindowPassed();
    expect(h.gateway.upgradesWith(SECRET)).toBe(1);
  });

  test('close code 4403 without a frame revokes too, with the close reason', async () => {
    const channel = await h.started();
    const session = await welcomedSession();
    const revoked = nextEvent(channel, 'revoked');
    session.close(4403, 'revoked by admin');
    expect(await revoked).toEqual([{ reason: 'revoked by admin' }]);
    await h.reconnectWindowPassed();
    expect(channel.state()).toMatchObject({ state: 'stopped', reason: 'revoked: revoked by admin' });
    expect(h.gateway.upgradesWith(SECRET)).toBe(1);
  });

  test('nothing the gateway sends after a revoke is applied', async () => {
    await h.started();
    const session = await welcomedSession();
    session.send({ type: 'revoke', reason: 'gone' });
    session.send({ type: 'rotate' });
    await session.closed;
    expect(h.rotateCalls).toBe(0);
  });
});

describe('credentials rejected', () => {
  test.each([401, 403, 404])('an upgrade refused with %i counts as 4401: stopped, no retry', async (status) => {
    h.gateway.refuse = (upgrade) => (upgrade.authorization === `Bearer ${SECRET}` ? status : null);
    const channel = h.agent();
    const rejected = nextEvent(channel, 'credentials-rejected');
    await channel.start();
    const [event] = await rejected;
    expect(event.detail).toBe(`the gateway refused the WebSocket upgrade with HTTP ${status}`);
    await h.reconnectWindowPassed();
    expect(h.gateway.upgradesWith(SECRET)).toBe(1);
    expect(channel.state()).toMatchObject({ state: 'stopped', stopCause: 'credentials-rejected', reason: 'credentials rejected: register again' });
    expect(h.logger.at('error')).toEqual([expect.stringMatching(/^credentials rejected: register again .*Fix: register again/)]);
  });

  test('a wrong secret is refused by the gateway and the agent stops', async () => {
    const wrong = `as_${'W'.repeat(45)}`;
    const channel = h.agent({ agentSecret: wrong });
    const rejected = nextEvent(channel, 'credentials-rejected');
    await channel.start();
    await rejected;
    expect(h.gateway.upgradesWith(wrong)).toBe(1);
    expect(h.logger.text()).not.toContain(wrong);
  });

  test('close code 4401 on an open connection stops it too', async () => {
    const channel = await h.started();
    const session = await welcomedSession();
    const rejected = nextEvent(channel, 'credentials-rejected');
    session.close(4401, 'secret rotated away');
    const [event] = await rejected;
    expect(event.detail).toBe('the gateway closed the connection with 4401 (secret rotated away)');
    await h.reconnectWindowPassed();
    expect(h.gateway.upgradesWith(SECRET)).toBe(1);
    expect(channel.state().reason).toBe('credentials rejected: register again');
  });

  test('other refusals are retried with backoff', async () => {
    h.gateway.refuse = (upgrade) => (upgrade.authorization === `Bearer ${SECRET}` && h.gateway.upgradesWith(SECRET) <= 2 ? 503 : null);
    const channel = h.agent();
    const states: string[] = [];
    channel.on('state', (state) => states.push(`${state.state}: ${state.reason}`));
    await channel.start();
    await welcomedSession();
    expect(h.gateway.upgradesWith(SECRET)).toBe(3);
    expect(states.filter((line) => line.startsWith('backoff'))).toEqual([
      expect.stringMatching(/^backoff: the gateway refused the WebSocket upgrade with HTTP 503; next attempt in/),
      expect.stringMatching(/^backoff: the gateway refused the WebSocket upgrade with HTTP 503; next attempt in/),
    ]);
    expect(channel.state().state).toBe('connected');
  });
});

describe('4409: replaced by a newer connection of the same agent', () => {
  test('each is logged as an error, waits at least replacedWaitMs, and the third within the window stops the agent', async () => {
    const channel = await h.started({ timing: { replacedWaitMs: 150 } });
    const inUse = nextEvent(channel, 'identity-in-use');
    const closedAt: number[] = [];
    const openedAt: number[] = [];
    for (let n = 1; n <= 3; n += 1) {
      const session = await h.session(n);
      openedAt.push(Date.now());
      await session.framesOf('status');
      session.close(4409, 'replaced');
      await session.closed;
      closedAt.push(Date.now());
    }
    const [event] = await inUse;
    expect(event.detail).toMatch(/replaced 3 times within 10 minutes/);
    await h.reconnectWindowPassed((session) => session.close(4409, 'replaced'));

    expect(h.gateway.upgradesWith(SECRET)).toBe(3);
    expect(openedAt[1]! - closedAt[0]!).toBeGreaterThanOrEqual(140);
    expect(openedAt[2]! - closedAt[1]!).toBeGreaterThanOrEqual(140);
    expect(channel.state()).toMatchObject({ state: 'stopped', stopCause: 'identity-in-use', reason: 'this identity is in use by another agent' });
    const errors = h.logger.at('error');
    expect(errors.filter((line) => line.includes('two daemons share one identity'))).toHaveLength(3);
    expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(/^this identity is in use by another agent/)]));
  });

  test('4409s spread wider than the window do not stop the agent', async () => {
    let clock = Date.now();
    const channel = await h.started({ timing: { replacedWaitMs: 0 }, now: () => clock });
    for (let n = 1; n <= 3; n += 1) {
      const session = await h.session(n);
      await session.framesOf('status');
      clock += 6 * 60_000;
      session.close(4409, 'replaced');
      await session.closed;
    }
    await (await h.session(4)).framesOf('status');
    expect(channel.state().state).toBe('connected');
  });
});

describe('shutdown', () => {
  test('close() sends bye, closes normally and never reconnects', async () => {
    const channel = await h.started();
    const session = await welcomedSession();
    await channel.close();
    expect(session.frames.at(-1)).toEqual({ type: 'bye', reason: 'shutdown' });
    expect((await session.closed).code).toBe(1000);
    expect(channel.state()).toMatchObject({ state: 'stopped', stopCause: 'shutdown' });
    await h.reconnectWindowPassed();
    expect(h.gateway.upgradesWith(SECRET)).toBe(1);
  });

  test('close() before welcome sends no bye: nothing but hello goes out before welcome', async () => {
    h.gateway.welcomeMode = 'manual';
    const channel = await h.started();
    const session = await h.session();
    await channel.close();
    await session.closed;
    expect(session.frames.map((frame) => frame.type)).toEqual(['hello']);
    expect(channel.state().state).toBe('stopped');
  });

  test('close() during backoff cancels the pending attempt', async () => {
    const channel = await h.started({ random: () => 0.99, timing: { reconnectBaseMs: 60_000, reconnectCapMs: 60_000 } });
    const session = await welcomedSession();
    const backoff = until(() => channel.state().state === 'backoff', 'backoff');
    session.terminate();
    await backoff;
    await channel.close();
    expect(channel.state()).toMatchObject({ state: 'stopped', stopCause: 'shutdown' });
    expect(h.gateway.upgradesWith(SECRET)).toBe(1);
  });
});
