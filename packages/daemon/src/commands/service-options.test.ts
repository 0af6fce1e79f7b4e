import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseFlags } from '../cli/flags';
import { ConfigSandbox } from '../config/test-support/config-sandbox';
import { installService } from '../install/installer';
import { parseEnvFile } from '../install/env-file';
import { fakeMachine, type FakeMachine } from '../install/test-support/fake-managers';
import { CLI_PATH, aliceUser } from '../install/test-support/fixtures';
import { parseUnit, value } from '../install/test-support/unit-file';
import { SERVICE_SPEC, installOptions } from './service-options';

// `service install` flags -> the installer, run against a temporary root with stand-ins for
// systemctl: the unit it writes runs `up` with this shell's config, state and flags.

const alice = aliceUser();
let machine: FakeMachine;
let sandbox: ConfigSandbox;

beforeEach(() => {
  machine = fakeMachine();
  machine.withSystemd(alice.uid);
  sandbox = new ConfigSandbox();
});
afterEach(() => {
  machine.cleanup();
  sandbox.remove();
});

async function install(argv: string[], env: NodeJS.ProcessEnv) {
  const { values } = parseFlags(argv, SERVICE_SPEC);
  const options = await installOptions(values, { env, cwd: sandbox.cwd, cliPath: CLI_PATH });
  return { options, result: await installService({ ...options, platform: 'linux', user: alice, root: machine.root, effectiveUid: alice.uid }) };
}

describe('service install options', () => {
  it('writes a Type=notify unit with NotifyAccess=all that runs `up` with the config, state dir and flags given', async () => {
    const config = sandbox.write('config.yaml', 'servers:\n  aws:\n    command: uvx\n    args: [mcp-proxy-for-aws]\n');
    const env = { ...sandbox.env(), ...machine.env, AWS_PROFILE: 'work', XDG_CONFIG_HOME: '/home/alice/.config' };
    const { options, result } = await install(['--config', config, '--state-dir', '/home/alice/state', '--env', 'AWS_PROFILE', '--admin', './admin.sock', '--port', '9000'], env);
    expect(options).toMatchObject({ scope: 'user', configPath: config, stateDir: '/home/alice/state', serverEnvNames: ['AWS_PROFILE'], serverCommands: ['uvx'], needsNetAdmin: false, notify: { access: 'all', watchdogSec: 30 } });
    const unitFile = path.join(machine.root, '/home/alice/.config/systemd/user/mcp-workstation.service');
    const unit = parseUnit(readFileSync(unitFile, 'utf8'));
    expect(value(unit, 'Service', 'Type')).toBe('notify');
    expect(value(unit, 'Service', 'NotifyAccess')).toBe('all');
    // A relative socket path is made absolute: the service does not start in this directory.
    expect(value(unit, 'Service', 'ExecStart')).toBe(`${process.execPath} --max-semi-space-size=1 ${CLI_PATH} up --config ${config} --state-dir /home/alice/state --port=9000 --admin=${sandbox.cwd}/admin.sock`);
    const envFile = path.join(machine.root, '/home/alice/.config/mcp-workstation/service.env');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(Object.fromEntries(parseEnvFile(readFileSync(envFile, 'utf8')))).toEqual({ AWS_PROFILE: 'work' });
    expect(machine.calls()).toContain('systemctl --user restart mcp-workstation.service');
    expect(result.dryRun).toBe(false);
  });

  it('asks for the system service (CAP_NET_ADMIN) when the tunnel is forced on', async () => {
    const { values } = parseFlags(['--tunnel', 'true'], SERVICE_SPEC);
    const options = await installOptions(values, { env: sandbox.env(), cwd: sandbox.cwd, cliPath: CLI_PATH });
    expect(options.needsNetAdmin).toBe(true);
    await expect(installService({ ...options, platform: 'linux', user: alice, root: machine.root, effectiveUid: alice.uid, dryRun: true })).rejects.toThrow(/CAP_NET_ADMIN[\s\S]*--system/);
  });

  it('refuses --env with a value instead of a name', async () => {
    const { values } = parseFlags(['--env', 'AWS_PROFILE=work'], SERVICE_SPEC);
    await expect(installOptions(values, { env: sandbox.env(), cwd: sandbox.cwd, cliPath: CLI_PATH })).rejects.toThrow(/give the name only/);
  });
});
