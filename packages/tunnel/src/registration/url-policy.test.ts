import { checkControlUrl, checkGatewayUrl, isLoopbackHost } from './url-policy.js';
import { RegistrationError } from './registration-error.js';

test.each(['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '[::ffff:127.0.0.1]'])('%s is loopback', (host) => {
  expect(isLoopbackHost(host)).toBe(true);
});

test.each(['10.0.0.1', '128.0.0.1', '[::2]', 'gw.example.com', 'localhost.example.com', '0.0.0.0'])('%s is not loopback', (host) => {
  expect(isLoopbackHost(host)).toBe(false);
});

describe('checkGatewayUrl', () => {
  test('https anywhere, http only to loopback', () => {
    expect(checkGatewayUrl('https://gw.example.com', false).href).toBe('https://gw.example.com/');
    expect(checkGatewayUrl('http://127.0.0.1:8080', false).port).toBe('8080');
    expect(checkGatewayUrl('http://[::1]:8080/base', false).pathname).toBe('/base');
    expect(checkGatewayUrl('http://localhost', false).hostname).toBe('localhost');
  });

  test('http to another host is refused with --allow-http as the fix, and accepted with it', () => {
    const error = (() => {
      try {
        checkGatewayUrl('http://gw.example.com', false);
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(RegistrationError);
    expect((error as RegistrationError).code).toBe('insecure_url');
    expect((error as Error).message).toMatch(/unencrypted.*Fix: use an https:\/\/ gateway URL, or pass --allow-http/);
    expect(checkGatewayUrl('http://gw.example.com', true).protocol).toBe('http:');
  });

  test('other schemes, non-URLs and URLs with credentials are refused', () => {
    expect(() => checkGatewayUrl('ftp://gw.example.com', true)).toThrow(/is not a https:\/\/ URL/);
    expect(() => checkGatewayUrl('gw.example.com', false)).toThrow(/is not a URL/);
    expect(() => checkGatewayUrl('https://user:pw@gw.example.com', false)).toThrow(/user name or password/);
  });
});

describe('checkControlUrl', () => {
  test('wss anywhere (another host than the gateway too), ws only to loopback or with allowHttp', () => {
    expect(checkControlUrl('wss://control.example.net/v1/agents/a/control', false).host).toBe('control.example.net');
    expect(checkControlUrl('ws://127.0.0.1:9/x', false).protocol).toBe('ws:');
    expect(() => checkControlUrl('ws://control.example.net/x', false)).toThrow(/--allow-http/);
    expect(checkControlUrl('ws://control.example.net/x', true).protocol).toBe('ws:');
    expect(() => checkControlUrl('https://control.example.net/x', true)).toThrow(/is not a wss:\/\/ URL/);
  });
});
