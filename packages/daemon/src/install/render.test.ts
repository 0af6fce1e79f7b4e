import plist from 'plist';
import { ServiceInstallError } from './install-error.js';
import { serviceLayout } from './layout.js';
import { daemonArgv, renderServiceFile, type ServiceDefinition } from './render.js';
import { CLI_PATH, NODE_PATH, currentServiceUser } from './test-support/fixtures.js';
import { environmentAssignmentValue, execWords, parseUnit, systemdAnalyzeAvailable, value, values, verifyUnit } from './test-support/unit-file.js';

const user = currentServiceUser();
// Characters that systemd and XML treat specially: each must come out exactly as it went in.
const STATE_DIR = '/tmp/state dir/100% $HOME "quoted" <&>';
const PATH_VALUE = '/home/me/.local/bin:/opt/50%/bin:/usr/bin:/bin';

function definition(overrides: Partial<ServiceDefinition> = {}): ServiceDefinition {
  return {
    platform: 'linux',
    scope: 'user',
    nodePath: NODE_PATH,
    cliPath: CLI_PATH,
    configPath: '/home/me/.config/mcp-workstation/config.yaml',
    stateDir: STATE_DIR,
    path: PATH_VALUE,
    user,
    needsNetAdmin: false,
    ...overrides,
  };
}

function render(overrides: Partial<ServiceDefinition> = {}): { text: string; def: ServiceDefinition } {
  const def = definition(overrides);
  const layout = serviceLayout({ platform: def.platform, scope: def.scope, user: def.user, env: {} });
  return { text: renderServiceFile(def, layout), def };
}

/** systemd-analyze verify where it is installed; the key checks below run everywhere. */
function expectVerified(text: string, scope: 'user' | 'system'): void {
  if (!systemdAnalyzeAvailable()) return;
  expect(verifyUnit(text, scope)).toEqual({ status: 0, output: '' });
}

describe('systemd user unit', () => {
  const { text, def } = render();
  const unit = parseUnit(text);

  it('passes systemd-analyze verify with the real node and CLI', () => {
    expectVerified(text, 'user');
  });

  it('runs `node <cli> up` with the config and state dir, every argument intact', () => {
    const layout = serviceLayout({ platform: 'linux', scope: 'user', user, env: {} });
    expect(execWords(value(unit, 'Service', 'ExecStart') ?? '')).toEqual(daemonArgv(def, layout));
    expect(daemonArgv(def, layout)).toEqual([NODE_PATH, '--max-semi-space-size=1', CLI_PATH, 'up', '--config', def.configPath, '--state-dir', STATE_DIR]);
  });

  it('records PATH, reads the environment file, and restarts on failure but not on a config error', () => {
    expect(values(unit, 'Service', 'Environment').map(environmentAssignmentValue)).toEqual([`PATH=${PATH_VALUE}`]);
    expect(value(unit, 'Service', 'EnvironmentFile')).toBe(`${user.home}/.config/mcp-workstation/service.env`);
    expect(value(unit, 'Service', 'Restart')).toBe('on-failure');
    expect(value(unit, 'Service', 'RestartPreventExitStatus')).toBe('78');
    expect(value(unit, 'Service', 'KillMode')).toBe('control-group');
    expect(value(unit, 'Install', 'WantedBy')).toBe('default.target');
  });

  it('is Type=notify with the main process notifying and a watchdog', () => {
    expect(value(unit, 'Service', 'Type')).toBe('notify');
    expect(value(unit, 'Service', 'NotifyAccess')).toBe('main');
    expect(value(unit, 'Service', 'WatchdogSec')).toBe('30s');
  });

  it('names no user and asks for no capability (a user manager cannot grant one)', () => {
    expect(value(unit, 'Service', 'User')).toBeUndefined();
    expect(value(unit, 'Service', 'AmbientCapabilities')).toBeUndefined();
    expect(text).not.toMatch(/\{\{|\}\}/);
  });
});

describe('systemd system unit', () => {
  it('with the tunnel: runs as the user with CAP_NET_ADMIN only, /dev/net/tun and a wireguard runtime directory', () => {
    const { text } = render({ scope: 'system', needsNetAdmin: true });
    expectVerified(text, 'system');
    const unit = parseUnit(text);
    expect(value(unit, 'Service', 'User')).toBe(user.name);
    expect(value(unit, 'Service', 'Group')).toBe(user.group);
    expect(value(unit, 'Service', 'AmbientCapabilities')).toBe('CAP_NET_ADMIN');
    expect(value(unit, 'Service', 'CapabilityBoundingSet')).toBe('CAP_NET_ADMIN');
    expect(values(unit, 'Service', 'DeviceAllow')).toContain('/dev/net/tun rw');
    expect(value(unit, 'Service', 'RuntimeDirectory')).toBe('wireguard');
    expect(value(unit, 'Service', 'RuntimeDirectoryPreserve')).toBe('yes');
    expect(value(unit, 'Service', 'NoNewPrivileges')).toBe('yes');
    expect(value(unit, 'Service', 'EnvironmentFile')).toBe('/etc/mcp-workstation/service.env');
    expect(value(unit, 'Service', 'WorkingDirectory')).toBe(user.home);
    expect(value(unit, 'Unit', 'After')).toBe('network-online.target');
    expect(value(unit, 'Install', 'WantedBy')).toBe('multi-user.target');
  });

  it('without the tunnel: no capability at all', () => {
    const { text } = render({ scope: 'system', needsNetAdmin: false });
    expectVerified(text, 'system');
    const unit = parseUnit(text);
    expect(value(unit, 'Service', 'AmbientCapabilities')).toBeUndefined();
    expect(value(unit, 'Service', 'CapabilityBoundingSet')).toBe('');
    expect(values(unit, 'Service', 'DeviceAllow')).toEqual([]);
  });

  it('lets systemd make a state directory under /var/lib', () => {
    const { text } = render({ scope: 'system', needsNetAdmin: true, stateDir: '/var/lib/mcp-workstation' });
    expectVerified(text, 'system');
    const unit = parseUnit(text);
    expect(value(unit, 'Service', 'StateDirectory')).toBe('mcp-workstation');
    expect(value(unit, 'Service', 'StateDirectoryMode')).toBe('0700');
  });

  it('renders Type=exec without a watchdog when notify is off, with extra flags for up', () => {
    const { text } = render({ scope: 'system', notify: false, extraUpArgs: ['--admin', '/run/mcp-workstation/admin.sock'] });
    expectVerified(text, 'system');
    const unit = parseUnit(text);
    expect(value(unit, 'Service', 'Type')).toBe('exec');
    expect(value(unit, 'Service', 'WatchdogSec')).toBeUndefined();
    expect(execWords(value(unit, 'Service', 'ExecStart') ?? '').slice(-2)).toEqual(['--admin', '/run/mcp-workstation/admin.sock']);
  });

  it('uses NotifyAccess=all when the daemon notifies through a helper process', () => {
    const unit = parseUnit(render({ notify: { access: 'all', watchdogSec: 60 } }).text);
    expect(value(unit, 'Service', 'NotifyAccess')).toBe('all');
    expect(value(unit, 'Service', 'WatchdogSec')).toBe('60s');
  });
});

describe('bad values', () => {
  it('refuses a line break, which would add a directive of its own', () => {
    expect(() => render({ stateDir: '/tmp/x\nExecStartPre=/bin/rm -rf /' })).toThrow(ServiceInstallError);
    expect(() => render({ stateDir: '/tmp/x\nExecStartPre=/bin/rm -rf /' })).toThrow(/line break/);
    expect(() => render({ path: '/usr/bin\n[Service]' })).toThrow(/PATH/);
  });

  it('refuses relative paths and names the fix', () => {
    expect(() => render({ cliPath: 'packages/daemon/bin/mcp-workstation.js' })).toThrow(/absolute path.*give the full path/s);
  });
});

interface LaunchdPlist {
  Label: string;
  UserName?: string;
  ProgramArguments: string[];
  EnvironmentVariables: Record<string, string>;
  RunAtLoad: boolean;
  KeepAlive: { SuccessfulExit: boolean };
  StandardOutPath: string;
  StandardErrorPath: string;
  WorkingDirectory: string;
}

function renderPlist(overrides: Partial<ServiceDefinition>): { parsed: LaunchdPlist; text: string; def: ServiceDefinition } {
  const { text, def } = render({ platform: 'darwin', ...overrides });
  return { parsed: plist.parse(text) as unknown as LaunchdPlist, text, def };
}

describe('launchd LaunchAgent', () => {
  const { parsed, text, def } = renderPlist({ scope: 'user' });

  it('parses, and holds the label, program, PATH only, KeepAlive and RunAtLoad', () => {
    expect(parsed.Label).toBe('dev.mcp-workstation.agent');
    expect(parsed.ProgramArguments).toEqual([
      NODE_PATH,
      '--max-semi-space-size=1',
      CLI_PATH,
      'up',
      '--config',
      def.configPath,
      '--state-dir',
      STATE_DIR,
      '--env-file',
      `${user.home}/.config/mcp-workstation/service.env`,
    ]);
    expect(parsed.EnvironmentVariables).toEqual({ PATH: PATH_VALUE });
    expect(parsed.RunAtLoad).toBe(true);
    expect(parsed.KeepAlive).toEqual({ SuccessfulExit: false });
    expect(parsed.UserName).toBeUndefined();
    expect(parsed.WorkingDirectory).toBe(user.home);
    expect(text).not.toMatch(/\{\{|\}\}/);
  });

  it('logs to ~/Library/Logs/mcp-workstation/', () => {
    expect(parsed.StandardOutPath).toBe(`${user.home}/Library/Logs/mcp-workstation/mcp-workstation.log`);
    expect(parsed.StandardErrorPath).toBe(parsed.StandardOutPath);
  });
});

describe('launchd LaunchDaemon', () => {
  it('runs as the user, with PATH and HOME, logging under /Library/Logs', () => {
    const { parsed } = renderPlist({ scope: 'system' });
    expect(parsed.Label).toBe('dev.mcp-workstation.daemon');
    expect(parsed.UserName).toBe(user.name);
    expect(parsed.EnvironmentVariables).toEqual({ PATH: PATH_VALUE, HOME: user.home });
    expect(parsed.StandardErrorPath).toBe('/Library/Logs/mcp-workstation/mcp-workstation.log');
    expect(parsed.ProgramArguments).toContain('/etc/mcp-workstation/service.env');
  });

  it('runs as root when the tunnel needs it (macOS has no capabilities)', () => {
    const { parsed } = renderPlist({ scope: 'system', needsNetAdmin: true });
    expect(parsed.UserName).toBeUndefined();
    expect(parsed.EnvironmentVariables.HOME).toBe(user.home);
  });

  it('refuses a control character a plist cannot hold', () => {
    expect(() => renderPlist({ scope: 'system', stateDir: '/tmp/\u0001' })).toThrow(/control character/);
  });
});
