import { HostCheck } from './host-check';

test('loopback names pass on the port the request came in on; other names only when allowed', () => {
  const check = new HostCheck(['mcp.internal', '10.0.0.2:8000']);
  expect(check.allows('127.0.0.1:8000', 8000)).toBe(true);
  expect(check.allows('localhost:8000', 8000)).toBe(true);
  expect(check.allows('[::1]:8000', 8000)).toBe(true);
  expect(check.allows('localhost:9999', 8000)).toBe(false);
  expect(check.allows('mcp.internal:1234', 8000)).toBe(true);
  expect(check.allows('10.0.0.2:8000', 8000)).toBe(true);
  expect(check.allows('10.0.0.2:8001', 8000)).toBe(false);
  expect(check.allows('evil.example', 8000)).toBe(false);
  expect(check.allows(undefined, 8000)).toBe(false);
  expect(check.allows('not a host', 8000)).toBe(false);
});

test('over a unix socket (no port) loopback names pass on any port', () => {
  expect(new HostCheck([]).allows('localhost', undefined)).toBe(true);
  expect(new HostCheck([]).allows('evil.example', undefined)).toBe(false);
});

test('with allowed origins, Origin is checked by the bridge\'s rule: "null" and unparsable values are refused, never thrown', () => {
  const check = new HostCheck([], ['https://app.example']);
  expect(check.originAllows(undefined, 8000)).toBe(true);
  expect(check.originAllows('http://localhost:8000', 8000)).toBe(true);
  expect(check.originAllows('HTTPS://APP.example/', 8000)).toBe(true);
  for (const origin of ['null', 'http://[', 'file://', '::::', 'http://localhost:99999', 'http://localhost:3000', 'http://evil.example']) {
    expect(check.originAllows(origin, 8000)).toBe(false);
  }
  expect(new HostCheck([], ['null']).originAllows('null', 8000)).toBe(true);
  expect(new HostCheck([], ['*']).originAllows('null', 8000)).toBe(true);
  // Without allowed origins (the admin listener) Origin is not looked at.
  expect(new HostCheck([]).originAllows('null', 8000)).toBe(true);
});
