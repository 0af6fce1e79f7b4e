import * as path from 'node:path';
import { resolveStateDir, SYSTEM_STATE_DIR } from './state-dir.js';

describe('resolveStateDir', () => {
  test('an explicit directory wins, made absolute', () => {
    expect(resolveStateDir({ stateDir: 'rel/dir', scope: 'system', env: { XDG_STATE_HOME: '/x' } })).toBe(path.resolve('rel/dir'));
  });
  test('a user agent uses $XDG_STATE_HOME/mcp-workstation', () => {
    expect(resolveStateDir({ env: { XDG_STATE_HOME: '/home/a/.state' }, homeDir: '/home/a' })).toBe('/home/a/.state/mcp-workstation');
  });
  test('without XDG_STATE_HOME (or with a relative one, which the XDG spec says to ignore) it is ~/.local/state/mcp-workstation', () => {
    expect(resolveStateDir({ env: {}, homeDir: '/home/a' })).toBe('/home/a/.local/state/mcp-workstation');
    expect(resolveStateDir({ env: { XDG_STATE_HOME: 'relative' }, homeDir: '/home/a' })).toBe('/home/a/.local/state/mcp-workstation');
  });
  test('a system service uses /var/lib/mcp-workstation', () => {
    expect(resolveStateDir({ scope: 'system', env: { XDG_STATE_HOME: '/x' } })).toBe(SYSTEM_STATE_DIR);
    expect(SYSTEM_STATE_DIR).toBe('/var/lib/mcp-workstation');
  });
});
