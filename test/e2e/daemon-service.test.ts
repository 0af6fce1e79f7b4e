import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { CLI_BIN, runCli } from './support';
import { makeWorkspace, type Workspace } from './daemon-support';

// `mcp-workstation service install|uninstall|status` and `logs` through the built CLI. No
// service manager runs on these machines: --dry-run shows what would be written and run, and
// a real install stops at the missing systemd with the fix.

let workspace: Workspace;
beforeEach(() => {
  workspace = makeWorkspace();
});
afterEach(() => workspace.remove());

/** A home of its own, so nothing of the real user's is read or written. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  return { HOME: workspace.dir, XDG_CONFIG_HOME: path.join(workspace.dir, 'config'), XDG_STATE_HOME: path.join(workspace.dir, 'state'), XDG_RUNTIME_DIR: '', ...extra };
}

describe('mcp-workstation service', () => {
  it('install --dry-run prints the unit it would write (the same config, state, flags), and writes nothing', async () => {
    const config = workspace.write('config.yaml', 'servers:\n  s:\n    command: node\n');
    const stateDir = path.join(workspace.dir, 'state-dir');
    const result = await runCli(
      ['service', 'install', '--dry-run', '--config', config, '--state-dir', stateDir, '--env', 'AWS_PROFILE', '--env', 'AWS_SECRET_ACCESS_KEY', '--admin', '/run/user/1000/mcpw.sock'],
      { env: env({ AWS_PROFILE: 'work', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI-secret-value' }) },
    );
    expect(result.code).toBe(0);
    const unitPath = path.join(workspace.dir, 'config', 'systemd', 'user', 'mcp-workstation.service');
    expect(result.stdout).toContain('Dry run: nothing was written or run.');
    expect(result.stdout).toContain(`${unitPath}  (service, mode 0644)`);
    expect(result.stdout).toContain('AWS_PROFILE, AWS_SECRET_ACCESS_KEY (values not shown)');
    expect(result.stdout).toContain(`ExecStart=${process.execPath} --max-semi-space-size=1 ${CLI_BIN} up --config ${config} --state-dir ${stateDir} --admin=/run/user/1000/mcpw.sock`);
    expect(result.stdout).toMatch(/^Type=notify$/m);
    expect(result.stdout).toMatch(/^NotifyAccess=all$/m);
    expect(result.stdout).toMatch(/^WatchdogSec=30s$/m);
    expect(result.stdout).toMatch(/^RestartPreventExitStatus=78$/m);
    expect(result.stdout).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    expect(`${result.stdout}${result.stderr}`).not.toContain('wJalrXUtnFEMI');
    expect(existsSync(unitPath)).toBe(false);
    expect(existsSync(path.join(workspace.dir, 'config', 'mcp-workstation'))).toBe(false);
  });

  it('install stops with the fix when there is no systemd, and refuses a broken config with 78', async () => {
    const installed = await runCli(['service', 'install'], { env: env() });
    if (existsSync('/run/systemd/system')) {
      // On a machine that runs systemd the user session check decides; the message still names a fix.
      expect(installed.stderr).toContain('fix:');
    } else {
      expect(installed.code).toBe(1);
      expect(installed.stderr).toContain('systemd is not running on this machine');
      expect(installed.stderr).toContain('fix:');
    }
    const config = workspace.write('config.yaml', 'listen:\n  port: nope\n');
    const broken = await runCli(['service', 'install', '--dry-run', '--config', config], { env: env() });
    expect(broken.code).toBe(78);
    expect(broken.stderr).toContain('listen.port');
  });

  it('status says it is not installed (exit 3); uninstall --dry-run lists what it would remove', async () => {
    const status = await runCli(['service', 'status'], { env: env() });
    expect(status.code).toBe(3);
    expect(status.stdout).toContain('not installed');
    const uninstall = await runCli(['service', 'uninstall', '--dry-run'], { env: env() });
    expect(uninstall.code).toBe(0);
    expect(uninstall.stdout).toContain('Dry run: nothing was removed or run.');
    expect(uninstall.stdout).toContain('systemctl --user disable --now mcp-workstation.service');
  });

  it('logs without an installed service says so and exits non-zero at once (journalctl would wait forever)', async () => {
    const logs = await runCli(['logs'], { env: env(), timeoutMs: 10_000 });
    expect(logs.code).not.toBe(0);
    expect(logs.stderr).toMatch(/no mcp-workstation service is installed/);
    expect(logs.stderr).toContain('mcp-workstation service install');
  });

  it.each([['service'], ['logs'], ['status'], ['config'], ['doctor']])('%s --help shows usage and examples', async (command) => {
    const { code, stdout } = await runCli([command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(`mcp-workstation ${command}`);
    expect(stdout).toContain('Examples:');
  });
});
