import { ExpiryDetector, INITIALIZE_32602_SIGNAL, LOGIN_REFRESH_32602_SIGNAL, expirySignalInText } from './credential-signals';

const { SIGNALS } = require('../../../../test/fixtures/aws/fixture-state.js') as { SIGNALS: Record<string, string> };

/** Each signal of the issue, in the words the real tools use (the fixtures print the same). */
const CASES: Array<[signal: string, text: string]> = [
  ['ExpiredTokenException', SIGNALS.ExpiredTokenException],
  ['ExpiredToken', SIGNALS.ExpiredToken],
  ['LoginRefreshRequired', SIGNALS.LoginRefreshRequired],
  ['Token has expired', SIGNALS['token-has-expired']],
  ['The security token included in the request is expired', SIGNALS['security-token']],
  ['RequestExpired', SIGNALS.RequestExpired],
];

describe('expiry signals', () => {
  test.each(CASES)('%s is recognised in a stderr line', (signal, text) => {
    const detector = new ExpiryDetector();
    expect(detector.noteStderr(`2026-07-07 08:52:31 | ERROR | mcp_proxy_for_aws.server | ${text}`)).toEqual({ signal });
  });

  test.each(CASES)('%s is recognised in a JSON-RPC error, in its message or its data', (signal, text) => {
    const detector = new ExpiryDetector();
    expect(detector.classifyError({ code: -32603, message: text }, 'tools/call')).toEqual({ signal });
    expect(detector.classifyError({ code: -32603, message: 'Tool call failed', data: { cause: text } }, 'tools/call')).toEqual({ signal });
    expect(detector.classifyError({ code: -32001, message: 'failed', data: text }, 'tools/list')).toEqual({ signal });
  });

  test('the messages alone, as the proxy logs exceptions with %s (no class name), still count', () => {
    expect(expirySignalInText("Tool call 'aws___call_aws' failed: Your session has expired or credentials have changed. Please reauthenticate using 'aws login'.")).toEqual({ signal: 'LoginRefreshRequired' });
    expect(expirySignalInText('The SSO session associated with this profile has expired or is otherwise invalid.')).toEqual({ signal: 'SSO session expired' });
    expect(expirySignalInText('MCP error -32001: Your AWS session token has expired. Please refresh your credentials and try again.')).toEqual({ signal: 'Token has expired' });
  });

  test('ordinary lines and errors are not signals', () => {
    const detector = new ExpiryDetector();
    for (const line of ['Installed 73 packages in 187ms', 'An error occurred (AccessDenied) when calling the ListBuckets operation', 'request expired? no: ExpiredTokens is not a code']) {
      expect(detector.noteStderr(line)).toBeNull();
    }
    expect(detector.classifyError({ code: -32601, message: 'Method not found' }, 'tools/call')).toBeNull();
    expect(detector.classifyError({ code: -32602, message: 'Invalid arguments for tool aws___call_aws' }, 'tools/call')).toBeNull();
  });
});

describe('-32602 Invalid request parameters (proxy issue #304)', () => {
  const invalid = { code: -32602, message: 'Invalid request parameters', data: '' };

  test('as the answer to initialize, it is read as expiry', () => {
    expect(new ExpiryDetector().classifyError(invalid, 'initialize')).toEqual({ signal: INITIALIZE_32602_SIGNAL });
  });

  test('to any request, shortly after LoginRefreshRequired on stderr, it is read as expiry', () => {
    let now = 1_000_000;
    const detector = new ExpiryDetector({ now: () => now, correlationWindowMs: 60_000 });
    expect(detector.classifyError(invalid, 'tools/call')).toBeNull();
    detector.noteStderr(`2026-07-07 | DEBUG | ${SIGNALS.LoginRefreshRequired}`);
    now += 30_000;
    expect(detector.classifyError(invalid, 'tools/call')).toEqual({ signal: LOGIN_REFRESH_32602_SIGNAL });
    now += 60_000; // long after: the -32602 stands on its own again
    expect(detector.classifyError(invalid, 'tools/call')).toBeNull();
  });

  test('not when stderr just said NoRegionError: that -32602 is a missing region (the proxy README), not expiry', () => {
    const detector = new ExpiryDetector();
    detector.noteStderr('botocore.exceptions.NoRegionError: You must specify a region.');
    expect(detector.classifyError(invalid, 'initialize')).toBeNull();
  });
});

describe('tool results', () => {
  test("an isError result naming a signal (the proxy's ToolError) is expiry; a normal result is not", () => {
    const detector = new ExpiryDetector();
    expect(detector.classifyResult({ isError: true, content: [{ type: 'text', text: `Tool call failed: ${SIGNALS.ExpiredToken}` }] })).toEqual({ signal: 'ExpiredToken' });
    expect(detector.classifyResult({ content: [{ type: 'text', text: SIGNALS.ExpiredToken }] })).toBeNull();
    expect(detector.classifyResult({ isError: true, content: [{ type: 'text', text: 'AccessDenied' }] })).toBeNull();
  });
});
