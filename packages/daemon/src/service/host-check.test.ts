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
