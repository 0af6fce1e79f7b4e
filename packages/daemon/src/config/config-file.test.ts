import { loadConfig } from './load-config';
import { ConfigSandbox, configErrorOf } from './test-support/config-sandbox';

let sandbox: ConfigSandbox;
beforeEach(() => {
  sandbox = new ConfigSandbox();
});
afterEach(() => sandbox.remove());

function problemOf(file: string) {
  return configErrorOf(() => loadConfig({ configPath: file, env: sandbox.env(), cwd: sandbox.cwd })).problems[0];
}

describe('config file syntax', () => {
  it('names the line and column of a JSON error, and what JSON does not allow', () => {
    const file = sandbox.write('c.json', '{\n  "listen": { "port": 1, },\n}\n');
    const problem = problemOf(file);
    expect(problem.key).toBe('config file');
    expect(problem.message).toMatch(new RegExp(`^config file \\(file ${file}\\): is not valid JSON at line 2, column \\d+: `));
    expect(problem.fix).toContain('JSON allows no comments and no trailing commas');
  });

  it('names the line and column of a YAML error', () => {
    const file = sandbox.write('c.yaml', 'listen:\n  port: [1,\nlogLevel: info\n');
    expect(problemOf(file).reason).toMatch(/^is not valid YAML at line \d+, column \d+: /);
  });

  it('refuses a file that is not a map, and an unknown extension', () => {
    expect(problemOf(sandbox.write('l.yaml', '- a\n- b\n')).reason).toBe('holds a list, not a map of settings');
    expect(problemOf(sandbox.write('c.toml', 'a = 1\n')).reason).toContain("has the extension '.toml'");
  });

  it('refuses a directory given as the config file', () => {
    const problem = configErrorOf(() => loadConfig({ configPath: sandbox.cwd, env: sandbox.env(), cwd: sandbox.cwd })).problems[0];
    expect(problem.reason).toContain('is a directory, not a file');
  });

  it('accepts YAML anchors and merge keys, held under an ignored top-level x- key', () => {
    const file = sandbox.write(
      'c.yaml',
      'x-base: &base\n  command: uvx\n  startTimeoutMs: 300000\nservers:\n  a:\n    <<: *base\n    args: [a]\n  b:\n    <<: *base\n    args: [b]\n',
    );
    const { config } = loadConfig({ configPath: file, env: sandbox.env(), cwd: sandbox.cwd });
    expect(config.servers.map((server) => [server.name, server.command, server.args, server.startTimeoutMs])).toEqual([
      ['a', 'uvx', ['a'], 300000],
      ['b', 'uvx', ['b'], 300000],
    ]);
  });

  it('still refuses an unknown x- key below the top level', () => {
    const file = sandbox.write('c.yaml', 'listen:\n  x-note: hi\n');
    expect(problemOf(file).key).toBe('listen.x-note');
  });
});
