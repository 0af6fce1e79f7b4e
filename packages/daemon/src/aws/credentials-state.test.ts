import { CredentialsState, type CredentialsSnapshot } from './credentials-state';

describe('CredentialsState', () => {
  test('unknown -> expired -> ok -> expired, with since at each change and one event per change', () => {
    let clock = Date.parse('2026-09-01T10:00:00Z');
    const state = new CredentialsState(() => new Date(clock));
    const changes: Array<[CredentialsSnapshot, CredentialsSnapshot]> = [];
    state.on('change', (snapshot, previous) => changes.push([snapshot, previous]));
    expect(state.snapshot()).toEqual({ state: 'unknown', since: new Date('2026-09-01T10:00:00Z') });

    clock += 1_000;
    expect(state.markExpired('ExpiredToken')).toBe(true);
    clock += 5_000;
    expect(state.markExpired('LoginRefreshRequired')).toBe(false); // still the first sighting
    expect(state.snapshot()).toEqual({ state: 'expired', since: new Date('2026-09-01T10:00:01Z'), signal: 'ExpiredToken' });

    clock += 60_000;
    expect(state.markOk()).toBe(true);
    expect(state.markOk()).toBe(false);
    expect(state.snapshot()).toEqual({ state: 'ok', since: new Date('2026-09-01T10:01:06Z') });

    clock += 1_000;
    state.markExpired('RequestExpired');
    expect(changes.map(([next, previous]) => `${previous.state}->${next.state}`)).toEqual(['unknown->expired', 'expired->ok', 'ok->expired']);
    expect(changes[2][0]).toEqual({ state: 'expired', since: new Date('2026-09-01T10:01:07Z'), signal: 'RequestExpired' });
  });

  test('a successful call first makes it ok', () => {
    const state = new CredentialsState();
    expect(state.markOk()).toBe(true);
    expect(state.state).toBe('ok');
  });
});
