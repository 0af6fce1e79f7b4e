import { knownMethods, methodLabel } from './method-label';

test('MCP methods get their own label value; anything a client invents is "other"', () => {
  expect(knownMethods()).toEqual(expect.arrayContaining(['initialize', 'tools/call', 'tools/list', 'resources/read', 'prompts/get', 'ping', 'server/discover']));
  expect(methodLabel('tools/call')).toBe('tools/call');
  expect(methodLabel('tools/call-with-a-random-suffix-1234')).toBe('other');
  expect(methodLabel('')).toBe('other');
});
