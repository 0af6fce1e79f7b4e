import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { installedServicePath, plistPath, systemdPath } from './installed-path';
import { xmlText } from './plist-syntax';
import { environmentAssignment } from './systemd-syntax';

// doctor checks uvx against the PATH an installed service really has: read back from the
// file `service install` wrote, with the same escaping undone.

const ODD_PATH = '/opt/100%/bin:/home/ada/"quoted"\\dir:/a&b<c>';

describe('reading the PATH back from a service file', () => {
  test('a systemd unit, as install writes it, gives the exact PATH back', () => {
    const unit = `[Service]\nType=notify\nEnvironment=${environmentAssignment('PATH', ODD_PATH)}\nExecStart=/usr/bin/node x\n`;
    expect(systemdPath(unit)).toBe(ODD_PATH);
    expect(systemdPath('[Service]\nEnvironment=PATH=/usr/bin:/bin\n')).toBe('/usr/bin:/bin');
    expect(systemdPath('[Service]\nEnvironment="HOME=/x"\n')).toBeNull();
  });

  test('a launchd property list gives the exact PATH back', () => {
    const plist = `<dict>\n  <key>EnvironmentVariables</key>\n  <dict>\n    <key>PATH</key>\n    <string>${xmlText('PATH', ODD_PATH)}</string>\n  </dict>\n</dict>\n`;
    expect(plistPath(plist)).toBe(ODD_PATH);
    expect(plistPath('<dict></dict>')).toBeNull();
  });
});

describe('installedServicePath', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'mcpw-installed-path-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  test("finds the user service under XDG_CONFIG_HOME (Linux) and ~/Library/LaunchAgents (macOS); none installed: null", () => {
    const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg') };
    expect(installedServicePath(env, 'linux')).toBeNull();
    const unitDir = path.join(home, 'xdg', 'systemd', 'user');
    mkdirSync(unitDir, { recursive: true });
    writeFileSync(path.join(unitDir, 'mcp-workstation.service'), `[Service]\nEnvironment=${environmentAssignment('PATH', '/home/ada/.local/bin:/usr/bin')}\n`);
    expect(installedServicePath(env, 'linux')).toEqual({ file: path.join(unitDir, 'mcp-workstation.service'), value: '/home/ada/.local/bin:/usr/bin' });

    const agents = path.join(home, 'Library', 'LaunchAgents');
    mkdirSync(agents, { recursive: true });
    writeFileSync(path.join(agents, 'dev.mcp-workstation.agent.plist'), '<key>PATH</key>\n<string>/opt/homebrew/bin:/usr/bin</string>');
    expect(installedServicePath(env, 'darwin')).toMatchObject({ value: '/opt/homebrew/bin:/usr/bin' });
    expect(installedServicePath(env, 'win32')).toBeNull();
  });
});
