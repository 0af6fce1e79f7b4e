import { parseFlags } from '../cli/flags';
import type { CommandSpec } from '../cli/flags';
import { configFlagSpecs } from './environment-and-flags';
import { loadConfig } from './load-config';
import { toRestartPolicy, toServerCommand } from './server-command';
import { ConfigSandbox } from './test-support/config-sandbox';

/** The path the CLI will take: its own flag parser, then loadConfig with what it parsed. */

const UP_LIKE: CommandSpec = {
  command: 'up',
  flags: { ...configFlagSpecs(), name: { type: 'string' }, sessionMode: { type: 'string' } },
  allowPositionals: true,
};

let sandbox: ConfigSandbox;
beforeEach(() => {
  sandbox = new ConfigSandbox();
});
afterEach(() => sandbox.remove());

describe('flags parsed by the CLI', () => {
  it('declares each mirrored key with the right kind of flag', () => {
    const specs = configFlagSpecs();
    expect(specs.config).toEqual({ type: 'string' });
    expect(specs.port).toEqual({ type: 'string' });
    expect(specs.allowHttp).toEqual({ type: 'boolean' });
    expect(specs.allowedHosts).toEqual({ type: 'string', multiple: true });
    expect(specs.stateDir).toEqual({ type: 'string' });
    expect(specs.admin).toEqual({ type: 'string' });
  });

  it('reach the config keys they mirror, in kebab-case or camelCase', () => {
    const file = sandbox.write('c.yaml', 'listen:\n  port: 1234\n');
    const { values } = parseFlags(
      ['--config', file, '--port', '9000', '--allowed-hosts', 'a.internal', '--allowedHosts=b.internal,c.internal', '--allow-http', '--state-dir', 'st', '--log-level', 'DEBUG', '--admin', '127.0.0.1:0'],
      UP_LIKE,
    );
    const { config, sources, file: used } = loadConfig({ argvFlags: values, configPath: values.config as string, env: sandbox.env(), cwd: sandbox.cwd });
    expect(used?.path).toBe(file);
    expect(config.listen.port).toBe(9000);
    expect(config.security.allowedHosts).toEqual(['a.internal', 'b.internal', 'c.internal']);
    expect(config.tunnel.allowHttp).toBe(true);
    expect(config.stateDir).toBe(`${sandbox.cwd}/st`);
    expect(config.logLevel).toBe('debug');
    expect(config.admin).toBe('127.0.0.1:0');
    expect(sources.get('tunnel.allowHttp')).toMatchObject({ kind: 'flag', detail: '--allow-http' });
  });
});

describe('a configured server in the supervisor\'s terms', () => {
  it('maps null variables to removal and keeps the rest', () => {
    const file = sandbox.write('c.yaml', 'servers:\n  s:\n    command: srv\n    args: [a]\n    cwd: /tmp\n    env:\n      KEEP: "1"\n      DROP: null\n    restart:\n      enabled: false\n');
    const [server] = loadConfig({ configPath: file, env: sandbox.env(), cwd: sandbox.cwd }).config.servers;
    expect(toServerCommand(server)).toEqual({ command: 'srv', args: ['a'], env: { KEEP: '1', DROP: undefined }, cwd: '/tmp', shell: false });
    expect(toRestartPolicy(server)).toMatchObject({ enabled: false, maxDelayMs: 10_000 });
  });
});
