import { judgeEnding } from './close-policy.js';

describe('judgeEnding: protocol.md §2 close codes', () => {
  test.each([401, 403, 404])('an upgrade refused with %i is treated as 4401', (status) => {
    expect(judgeEnding({ kind: 'refused', status })).toEqual({
      action: 'credentials-rejected',
      detail: `the gateway refused the WebSocket upgrade with HTTP ${status}`,
    });
  });

  test.each([400, 429, 500, 502, 503, 301])('an upgrade refused with %i is retried', (status) => {
    expect(judgeEnding({ kind: 'refused', status }).action).toBe('reconnect');
  });

  test('4401, 4403 and 4409', () => {
    expect(judgeEnding({ kind: 'closed', code: 4401, reason: '' }).action).toBe('credentials-rejected');
    expect(judgeEnding({ kind: 'closed', code: 4403, reason: 'stolen' })).toMatchObject({ action: 'revoked', reason: 'stolen' });
    expect(judgeEnding({ kind: 'closed', code: 4403, reason: '' })).toMatchObject({ action: 'revoked', reason: 'the gateway closed the control channel with 4403' });
    expect(judgeEnding({ kind: 'closed', code: 4409, reason: '' }).action).toBe('replaced');
  });

  test.each([1000, 1001, 1005, 1006, 1011, 1012, 4000, 4400, 4404])('any other close code (%i) reconnects', (code) => {
    expect(judgeEnding({ kind: 'closed', code, reason: '' }).action).toBe('reconnect');
  });

  test('network errors reconnect, with their message as the detail', () => {
    expect(judgeEnding({ kind: 'failed', message: 'ECONNREFUSED' })).toEqual({ action: 'reconnect', detail: 'ECONNREFUSED' });
  });
});
