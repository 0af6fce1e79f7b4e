import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import plist from 'plist';
import { parseEnvFile } from './env-file.js';
import { ServiceInstallError } from './install-error.js';
import { installService, serviceLogsCommand, serviceStatus, uninstallService, type InstallServiceOptions } from './installer.js';
import { formatInstallResult } from './plan-format.js';
import { fakeMachine, type FakeMachine } from './test-support/fake-managers.js';
import { CLI_PATH, NODE_PATH, aliceUser } from './test-support/fixtures.js';
import { environmentAssignmentValue, parseUnit, value } from './test-support/unit-file.js';
import type { ServiceUser } from './types.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const alice = aliceUser();
const asRoot = process.geteuid?.() === 0;
let machine: FakeMachine;

beforeEach(() => {
  machine = fakeMachine();
  machine.env.AWS_PROFILE = 'work';
  machine.env.AWS_SECRET_ACCESS_KEY = SECRET;
});
afterEach(() => machine.cleanup());

function options(overrides: Partial<InstallServiceOptions> = {}): InstallServiceOptions {
  return {
    scope: 'user',
    platform: 'linux',
    user: alice,
    env: machine.env,
    root: machine.root,
    effectiveUid: alice.uid,
    nodePath: NODE_PATH,
    cliPath: CLI_PATH,
    stateDir: '/home/alice/.local/state/mcp-workstation',
    serverEnvNames: ['AWS_PROFILE', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'],
    serverCommands: ['uvx'],
    needsNetAdmin: false,
    ...overrides,
  };
}

const inRoot = (target: string): string => path.join(machine.root, target);
const mode = (file: string): number => statSync(file).mode & 0o777;

describe('installService: systemd user service', () => {
  const unitPath = '/home/alice/.config/systemd/user/mcp-workstation.service';
  const envPath = '/home/alice/.config/mcp-workstation/service.env';

  it('writes the unit (0644) and the environment file (0600, in a 0700 directory), then reloads, enables and starts', async () => {
    machine.withSystemd(alice.uid);
    const result = await installService(options());
    expect(mode(inRoot(unitPath))).toBe(0o644);
    expect(mode(inRoot(envPath))).toBe(0o600);
    expect(mode(path.dirname(inRoot(envPath)))).toBe(0o700);
    expect(Object.fromEntries(parseEnvFile(readFileSync(inRoot(envPath), 'utf8')))).toEqual({ AWS_PROFILE: 'work', AWS_SECRET_ACCESS_KEY: SECRET });
    expect(machine.calls()).toEqual([
      'systemctl --user daemon-reload',
      'systemctl --user enable mcp-workstation.service',
      'systemctl --user restart mcp-workstation.service',
    ]);
    expect(result.files.map((file) => file.target)).toEqual([unitPath, envPath]);
  });

  it('keeps every secret out of the unit, the result and the printed plan', async () => {
    machine.withSystemd(alice.uid);
    const result = await installService(options());
    expect(readFileSync(inRoot(unitPath), 'utf8')).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(formatInstallResult(result)).not.toContain(SECRET);
    expect(formatInstallResult(result)).toContain('AWS_PROFILE, AWS_SECRET_ACCESS_KEY (values not shown)');
  });

  it("records the shell's PATH (relative entries out, node's directory in) and says what it changed", async () => {
    machine.withSystemd(alice.uid);
    const result = await installService(options({ serverCommands: ['uvx', 'no-such-tool'] }));
    const unit = parseUnit(readFileSync(inRoot(unitPath), 'utf8'));
    const recorded = environmentAssignmentValue(value(unit, 'Service', 'Environment') ?? '').replace(/^PATH=/, '').split(':');
    expect(recorded.slice(0, 2)).toEqual([machine.bin, machine.tools]);
    expect(recorded).toContain(path.dirname(NODE_PATH));
    expect(recorded).not.toContain('relative/bin');
    expect(result.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('relative/bin'),
        expect.stringMatching(/`no-such-tool` is not on the PATH the service will have/),
        expect.stringMatching(/AWS_REGION is listed in the config but not set/),
        expect.stringMatching(/sudo loginctl enable-linger alice/),
      ]),
    );
    expect(result.warnings.join('\n')).not.toMatch(/`uvx` is not on the PATH/);
  });

  it('on a reinstall keeps variables added by hand and updates those read from the shell', async () => {
    machine.withSystemd(alice.uid);
    await installService(options());
    writeFileSync(inRoot(envPath), `${readFileSync(inRoot(envPath), 'utf8')}HAND_ADDED='kept value'\n`, { mode: 0o600 });
    machine.env.AWS_PROFILE = 'other';
    await installService(options());
    expect(Object.fromEntries(parseEnvFile(readFileSync(inRoot(envPath), 'utf8')))).toEqual({
      AWS_PROFILE: 'other',
      AWS_SECRET_ACCESS_KEY: SECRET,
      HAND_ADDED: 'kept value',
    });
    expect(mode(inRoot(envPath))).toBe(0o600);
  });

  it('says which command failed, what it said, and what to run after fixing it', async () => {
    machine.withSystemd(alice.uid);
    machine.env.FAKE_FAIL_ON = 'restart';
    machine.env.FAKE_FAIL_MESSAGE = 'Job for mcp-workstation.service failed.';
    const attempt = installService(options());
    await expect(attempt).rejects.toThrow(ServiceInstallError);
    await expect(installService(options())).rejects.toThrow(
      /`systemctl --user restart mcp-workstation.service` failed \(exit 1: Job for mcp-workstation.service failed.\).*then run: systemctl --user restart mcp-workstation.service/s,
    );
  });

  it('explains a missing user bus with the linger fix', async () => {
    machine.withSystemd(alice.uid);
    machine.env.FAKE_FAIL_ON = 'daemon-reload';
    machine.env.FAKE_FAIL_MESSAGE = 'Failed to connect to bus: No medium found';
    await expect(installService(options())).rejects.toThrow(/no systemd user session: sudo loginctl enable-linger alice/);
  });
});

describe('installService: refusals, before anything is written', () => {
  function expectNothingDone(): void {
    expect(readdirSync(machine.root).filter((entry) => entry !== 'run')).toEqual([]);
    expect(machine.calls()).toEqual([]);
  }

  it('without a running systemd', async () => {
    await expect(installService(options())).rejects.toThrow(/systemd is not running on this machine.*fix: run `mcp-workstation up` in the foreground/s);
    expectNothingDone();
  });

  it('a system service when not root', async () => {
    machine.withSystemd(alice.uid);
    await expect(installService(options({ scope: 'system', effectiveUid: 1000 }))).rejects.toThrow(/needs root.*fix: run it with sudo, keeping your PATH/s);
    expectNothingDone();
  });

  it('a user service for the tunnel, which needs a capability a user manager cannot give', async () => {
    machine.withSystemd(alice.uid);
    await expect(installService(options({ needsNetAdmin: true }))).rejects.toThrow(/CAP_NET_ADMIN.*service install --system/s);
    expectNothingDone();
  });

  it('a user service without a user session', async () => {
    machine.withSystemd(alice.uid);
    delete machine.env.XDG_RUNTIME_DIR;
    await expect(installService(options())).rejects.toThrow(/no systemd user session for alice.*loginctl enable-linger alice/s);
    expectNothingDone();
  });

  it('a CLI path that does not exist', async () => {
    machine.withSystemd(alice.uid);
    await expect(installService(options({ cliPath: '/nowhere/mcp-workstation.js' }))).rejects.toThrow(/\/nowhere\/mcp-workstation.js does not exist.*npm run build/s);
    expectNothingDone();
  });
});

describe('installService: dry run', () => {
  it('writes and runs nothing, and lists the files, the commands and what would fail', async () => {
    const result = await installService(options({ dryRun: true }));
    expect(readdirSync(machine.root)).toEqual([]);
    expect(machine.calls()).toEqual([]);
    expect(result.commands.map((command) => command.argv.join(' '))).toEqual([
      'systemctl --user daemon-reload',
      'systemctl --user enable mcp-workstation.service',
      'systemctl --user restart mcp-workstation.service',
    ]);
    expect(result.blockers.map((blocker) => blocker.problem)).toEqual([expect.stringMatching(/systemd is not running/)]);
    const printed = formatInstallResult(result);
    expect(printed).toMatch(/^Dry run: nothing was written or run\./);
    expect(printed).toContain('would fail: systemd is not running');
    expect(printed).toContain('ExecStart=');
    expect(printed).not.toContain(SECRET);
  });
});

describe('installService: systemd system service', () => {
  it('writes to /etc, root-owned, and runs systemctl without --user', async () => {
    machine.withSystemd(alice.uid);
    await installService(options({ scope: 'system', needsNetAdmin: true, effectiveUid: 0 }));
    const unitFile = inRoot('/etc/systemd/system/mcp-workstation.service');
    const envFile = inRoot('/etc/mcp-workstation/service.env');
    expect(mode(unitFile)).toBe(0o644);
    expect(mode(envFile)).toBe(0o600);
    if (asRoot) expect(statSync(envFile).uid).toBe(0);
    expect(value(parseUnit(readFileSync(unitFile, 'utf8')), 'Service', 'AmbientCapabilities')).toBe('CAP_NET_ADMIN');
    expect(machine.calls()).toEqual(['systemctl daemon-reload', 'systemctl enable mcp-workstation.service', 'systemctl restart mcp-workstation.service']);
  });
});

describe("installService: the service's PATH", () => {
  it('leaves out what npm/npx put ahead of PATH, with a warning', async () => {
    machine.withSystemd(alice.uid);
    machine.env.PATH = `/home/alice/project/node_modules/.bin:/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin:${machine.env.PATH}`;
    const result = await installService(options({ dryRun: true }));
    const unit = result.files.find((file) => file.kind === 'service')!.content!;
    expect(unit).not.toContain('node_modules/.bin');
    expect(unit).not.toContain('node-gyp-bin');
    expect(result.warnings).toContainEqual(expect.stringMatching(/npm\/npx put these ahead of PATH.*project\/node_modules\/\.bin/));
  });

  it('a system service refuses a directory others can write, naming it; --force records it with a warning', async () => {
    machine.withSystemd(alice.uid);
    const shared = inRoot('/opt/shared-bin');
    mkdirSync(shared, { recursive: true });
    chmodSync(shared, 0o777);
    machine.env.PATH = `/opt/shared-bin:${machine.env.PATH}`;
    const system = options({ scope: 'system', needsNetAdmin: true, effectiveUid: 0 });
    await expect(installService(system)).rejects.toThrow(/a user other than alice or root can write.*\/opt\/shared-bin \(\/opt\/shared-bin is writable by others\).*fix: .*--force/s);
    expect(existsSync(inRoot('/etc/systemd/system/mcp-workstation.service'))).toBe(false);
    const forced = await installService({ ...system, force: true });
    expect(forced.warnings).toContainEqual(expect.stringMatching(/others can write.*\/opt\/shared-bin/));
    // A user service runs as alice anyway: a warning, not a refusal.
    const user = await installService(options({ dryRun: true }));
    expect(user.blockers).toEqual([]);
    expect(user.warnings).toContainEqual(expect.stringMatching(/others can write.*\/opt\/shared-bin/));
  });
});

describe('installService: launchd', () => {
  it('LaunchAgent: plist in ~/Library/LaunchAgents, log directory, bootstrap into the gui domain', async () => {
    machine.env.FAKE_FAIL_ON = 'bootout'; // nothing loaded yet: harmless
    const result = await installService(options({ platform: 'darwin' }));
    const plistFile = inRoot('/home/alice/Library/LaunchAgents/dev.mcp-workstation.agent.plist');
    const parsed = plist.parse(readFileSync(plistFile, 'utf8')) as { ProgramArguments: string[]; EnvironmentVariables: Record<string, string> };
    expect(parsed.ProgramArguments.slice(-2)).toEqual(['--env-file', '/home/alice/.config/mcp-workstation/service.env']);
    expect(Object.keys(parsed.EnvironmentVariables)).toEqual(['PATH']);
    expect(mode(inRoot('/home/alice/.config/mcp-workstation/service.env'))).toBe(0o600);
    expect(statSync(inRoot('/home/alice/Library/Logs/mcp-workstation')).isDirectory()).toBe(true);
    const target = `gui/${alice.uid}/dev.mcp-workstation.agent`;
    expect(machine.calls()).toEqual([`launchctl bootout ${target}`, `launchctl enable ${target}`, `launchctl bootstrap gui/${alice.uid} /home/alice/Library/LaunchAgents/dev.mcp-workstation.agent.plist`]);
    expect(result.commands[0].result?.code).toBe(1);
  });

  it('LaunchDaemon: plist root-owned in /Library/LaunchDaemons; the environment file and logs belong to the user it runs as', async () => {
    const bob: ServiceUser = { name: 'bob', uid: 65534, gid: 65534, group: 'nogroup', home: '/Users/bob' };
    await installService(options({ platform: 'darwin', scope: 'system', user: bob, effectiveUid: 0 }));
    const plistFile = inRoot('/Library/LaunchDaemons/dev.mcp-workstation.daemon.plist');
    expect((plist.parse(readFileSync(plistFile, 'utf8')) as { UserName: string }).UserName).toBe('bob');
    expect(mode(plistFile)).toBe(0o644);
    const envFile = inRoot('/etc/mcp-workstation/service.env');
    expect(mode(envFile)).toBe(0o600);
    if (asRoot) {
      expect(statSync(plistFile).uid).toBe(0);
      expect(statSync(envFile).uid).toBe(65534);
      expect(statSync(inRoot('/Library/Logs/mcp-workstation')).uid).toBe(65534);
    }
    expect(machine.calls()).toContain(`launchctl bootstrap system /Library/LaunchDaemons/dev.mcp-workstation.daemon.plist`);
  });
});

describe('uninstallService', () => {
  it('stops and disables, removes the unit and the environment file, reloads, and keeps the registration', async () => {
    machine.withSystemd(alice.uid);
    await installService(options());
    const before = machine.calls().length;
    const result = await uninstallService({ ...options(), stateDir: '/home/alice/.local/state/mcp-workstation' });
    expect(existsSync(inRoot('/home/alice/.config/systemd/user/mcp-workstation.service'))).toBe(false);
    expect(existsSync(inRoot('/home/alice/.config/mcp-workstation/service.env'))).toBe(false);
    expect(machine.calls().slice(before)).toEqual(['systemctl --user disable --now mcp-workstation.service', 'systemctl --user daemon-reload']);
    expect(result.kept).toEqual([expect.stringContaining('/home/alice/.local/state/mcp-workstation')]);
  });

  it('on a dry run removes nothing', async () => {
    machine.withSystemd(alice.uid);
    await installService(options());
    const before = machine.calls().length;
    const result = await uninstallService({ ...options(), dryRun: true });
    expect(result.removed).toHaveLength(2);
    expect(existsSync(inRoot('/home/alice/.config/systemd/user/mcp-workstation.service'))).toBe(true);
    expect(machine.calls()).toHaveLength(before);
  });
});

describe('serviceStatus and serviceLogsCommand', () => {
  it('says "not installed" without asking the manager', async () => {
    const status = await serviceStatus(options());
    expect(status).toMatchObject({ installed: false, state: 'not-loaded' });
    expect(machine.calls()).toEqual([]);
  });

  it('reads systemctl is-active', async () => {
    machine.withSystemd(alice.uid);
    await installService(options());
    machine.env.FAKE_STDOUT = 'active';
    expect(await serviceStatus(options())).toMatchObject({ installed: true, state: 'running', command: ['systemctl', '--user', 'is-active', 'mcp-workstation.service'] });
    machine.env.FAKE_STDOUT = 'failed';
    expect((await serviceStatus(options())).state).toBe('failed');
  });

  it('reads launchctl print', async () => {
    await installService(options({ platform: 'darwin' }));
    machine.env.FAKE_STDOUT = ['gui/501/dev.mcp-workstation.agent = {', '\tstate = running', '\tpid = 4242', '\tlast exit code = 78', '}'].join('\n');
    expect(await serviceStatus(options({ platform: 'darwin' }))).toMatchObject({ installed: true, state: 'running', pid: 4242, lastExitCode: 78 });
  });

  it('refuses when no service is installed, naming the file it looked for and the fix, without running anything', async () => {
    await expect(serviceLogsCommand(options())).rejects.toThrow(/no mcp-workstation service is installed \(.*mcp-workstation\.service does not exist\).*\n  fix: install one with `mcp-workstation service install`/s);
    await expect(serviceLogsCommand({ ...options(), scope: 'system' })).rejects.toThrow(/mcp-workstation service install --system/);
    expect(machine.calls()).toEqual([]);
  });

  it('points at the journal or the launchd log file', async () => {
    machine.withSystemd(alice.uid);
    await installService(options());
    await installService({ ...options(), scope: 'system' });
    await installService(options({ platform: 'darwin' }));
    expect((await serviceLogsCommand(options())).argv).toEqual(['journalctl', '--user', '-u', 'mcp-workstation.service', '-n', '100', '-f']);
    expect((await serviceLogsCommand({ ...options(), scope: 'system', follow: false })).argv).toEqual(['journalctl', '-u', 'mcp-workstation.service', '-n', '100']);
    expect((await serviceLogsCommand(options({ platform: 'darwin' }))).argv).toEqual(['tail', '-n', '100', '-F', '/home/alice/Library/Logs/mcp-workstation/mcp-workstation.log']);
  });
});

describe('platforms without a supported service manager', () => {
  it('refuses with the alternatives', async () => {
    mkdirSync(path.join(machine.root, 'x'));
    await expect(installService(options({ platform: 'win32' }))).rejects.toThrow(/Linux \(systemd\) and macOS \(launchd\), not on win32.*docker/s);
  });
});
