import { ExpiryDetector } from './credential-signals';
import { CredentialsState } from './credentials-state';
import { AWS_CREDENTIALS_EXPIRED_CODE, createAwsErrorRewrite, expiredCredentialsError } from './error-rewrite';

describe('the error a client gets for expired credentials', () => {
  test('a plain sentence with the command and the host, a stable code, machine-readable data', () => {
    const error = expiredCredentialsError({ profile: 'default', refreshCommand: ['aws', 'login'], host: 'ada-laptop', since: new Date('2026-09-01T10:00:00Z'), signal: 'ExpiredToken' });
    expect(AWS_CREDENTIALS_EXPIRED_CODE).toBe(-32010);
    expect(error).toEqual({
      code: -32010,
      message: 'AWS credentials for profile default have expired: run `aws login` on ada-laptop',
      data: { reason: 'aws_credentials_expired', profile: 'default', host: 'ada-laptop', since: '2026-09-01T10:00:00.000Z', command: 'aws login', signal: 'ExpiredToken' },
    });
  });

  test('an SSO profile is told to run aws sso login --profile P', () => {
    const error = expiredCredentialsError({ profile: 'dev', refreshCommand: ['aws', 'sso', 'login', '--profile', 'dev'], host: 'h', since: new Date(0), signal: 'Token has expired' });
    expect(error.message).toBe('AWS credentials for profile dev have expired: run `aws sso login --profile dev` on h');
  });
});

describe('createAwsErrorRewrite', () => {
  function rewrite() {
    const state = new CredentialsState(() => new Date('2026-09-01T10:00:00Z'));
    const detector = new ExpiryDetector();
    const hook = createAwsErrorRewrite({ detector, state, describe: () => ({ profile: 'dev', refreshCommand: ['aws', 'login', '--profile', 'dev'], host: 'ws-1' }) });
    return { hook, state };
  }

  test('a signal becomes the expired-credentials error, with the time the expiry was first seen', () => {
    const { hook, state } = rewrite();
    state.markExpired('ExpiredTokenException');
    const replaced = hook({ code: -32603, message: 'An error occurred (ExpiredTokenException) when calling …' }, { server: 'aws', method: 'tools/call' });
    expect(replaced).toMatchObject({ code: -32010, message: 'AWS credentials for profile dev have expired: run `aws login --profile dev` on ws-1', data: { since: '2026-09-01T10:00:00.000Z', signal: 'ExpiredTokenException' } });
  });

  test("#304's -32602 to initialize is rewritten; the same error to tools/call is left alone, as is any other error", () => {
    const { hook } = rewrite();
    expect(hook({ code: -32602, message: 'Invalid request parameters', data: '' }, { server: 'aws', method: 'initialize' })).toMatchObject({ code: -32010, data: { reason: 'aws_credentials_expired' } });
    expect(hook({ code: -32602, message: 'Invalid request parameters', data: '' }, { server: 'aws', method: 'tools/call' })).toBeUndefined();
    expect(hook({ code: -32601, message: 'Method not found' }, { server: 'aws', method: 'tools/call' })).toBeUndefined();
  });
});
