import * as path from 'node:path';
import { checkConfig } from './check-config';
import { ConfigSandbox } from './test-support/config-sandbox';

let sandbox: ConfigSandbox;
beforeEach(() => {
  sandbox = new ConfigSandbox();
});
afterEach(() => sandbox.remove());

describe('checkConfig (config check)', () => {
  it('passes a good configuration with exit code 0', () => {
    sandbox.write('key', 'k3y\n');
    const file = sandbox.write('c.yaml', `security:\n  apiKeyFile: key\nservers:\n  node:\n    command: ${process.execPath}\n`);
    const result = checkConfig({ configPath: file, env: sandbox.env(), cwd: sandbox.cwd });
    expect(result).toMatchObject({ ok: true, exitCode: 0, problems: [] });
    expect(result.warnings).toEqual([]);
  });

  it('turns a ConfigError into problems and exit code 78, without throwing', () => {
    const result = checkConfig({ argvFlags: { port: 'eighty' }, env: sandbox.env(), cwd: sandbox.cwd });
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(78);
    expect(result.problems[0].message).toContain('listen.port = "eighty" (flag --port): must be a port number');
    expect(result.loaded).toBeNull();
  });

  it('finds what only the file system can tell: a missing key file, a missing CA file, a missing cwd', () => {
    const file = sandbox.write('c.yaml', 'security:\n  apiKeyFile: missing-key\ntunnel:\n  caFile: /nonexistent/ca.pem\nservers:\n  a:\n    command: sh\n    cwd: no-such-dir\n');
    const result = checkConfig({ configPath: file, env: sandbox.env(), cwd: sandbox.cwd });
    expect(result.exitCode).toBe(78);
    expect(result.problems.map((problem) => problem.key)).toEqual(['security.apiKeyFile', 'tunnel.caFile', 'servers.a.cwd']);
    expect(result.problems[0].message).toBe(
      `security.apiKeyFile (file ${file}:2): names ${path.join(sandbox.root, 'missing-key')}, which does not exist. Fix: create it holding the key (chmod 600), or edit security.apiKeyFile in ${file} (line 2).`,
    );
    expect(result.problems[2].reason).toContain('is not an existing directory');
  });

  it('warns about a key file others can read, and a program not on the PATH the daemon sees', () => {
    sandbox.write('key', 'k3y\n', 0o644);
    const file = sandbox.write('c.yaml', 'security:\n  apiKeyFile: key\nservers:\n  aws:\n    command: uvx-not-installed-here\n');
    const result = checkConfig({ configPath: file, env: sandbox.env({ PATH: '/usr/bin:/bin' }), cwd: sandbox.cwd });
    expect(result.ok).toBe(true);
    expect(result.warnings.join('\n')).toContain(`chmod 600 ${path.join(sandbox.root, 'key')}`);
    expect(result.warnings.join('\n')).toContain("servers.aws.command 'uvx-not-installed-here' is not found on PATH (/usr/bin:/bin)");
  });

  it("searches the server's own env.PATH when it sets one", () => {
    const file = sandbox.write('c.yaml', `servers:\n  n:\n    command: ${path.basename(process.execPath)}\n    env:\n      PATH: ${path.dirname(process.execPath)}\n`);
    const result = checkConfig({ configPath: file, env: sandbox.env({ PATH: '/nonexistent' }), cwd: sandbox.cwd });
    expect(result.warnings).toEqual([]);
  });
});
