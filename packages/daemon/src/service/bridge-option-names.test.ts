import { createBridge, createUpstream } from '@mcp-workstation/bridge';
import { SupervisedServer } from '@mcp-workstation/supervisor';
import { UserError } from '../errors';
import { asOptionUserError } from './bridge-option-names';

// The bridge's own refusal (BridgeOptionsError), named the way the person wrote it.

function refusal(build: () => unknown): unknown {
  try {
    build();
  } catch (error) {
    return error;
  }
  throw new Error('expected the bridge to refuse the options');
}

const upstream = () =>
  createUpstream({ name: 's', mode: 'shared', createChannel: () => new SupervisedServer({ name: 's', command: { command: process.execPath, args: [] } }) });

test('a bad allowed host names the config key and its flag for `up`, the supergateway flag for `bridge`', () => {
  const error = refusal(() => createBridge({ upstreams: [upstream()], security: { allowedHosts: ['ok.example', 'http://bad/'] } }));
  const forUp = asOptionUserError(error, 'config') as UserError;
  expect(forUp).toBeInstanceOf(UserError);
  expect(forUp.exitCode).toBe(78);
  expect(forUp.message).toBe(
    'invalid configuration: security.allowedHosts (--allowed-hosts, MCP_WORKSTATION_ALLOWED_HOSTS) (entry 2) "http://bad/": is not a host name or host:port. Allowed: ' +
      (error as { allowed: string }).allowed +
      '.',
  );
  const forBridge = asOptionUserError(error, 'bridge-flags') as UserError;
  expect(forBridge.exitCode).toBe(2);
  expect(forBridge.message).toMatch(/^--allowedHosts \(entry 2\) "http:\/\/bad\/": is not a host name/);
});

test('an API key the bridge refuses is never repeated', () => {
  const error = refusal(() => createBridge({ upstreams: [upstream()], security: { apiKey: 'has a space-secret' } }));
  const message = (asOptionUserError(error, 'config') as UserError).message;
  expect(message).toContain('the API key (security.apiKeyFile, MCP_WORKSTATION_API_KEY or --api-key)');
  expect(message).not.toContain('space-secret');
});

test('anything else passes through unchanged', () => {
  const other = new Error('not an option problem');
  expect(asOptionUserError(other, 'config')).toBe(other);
});
