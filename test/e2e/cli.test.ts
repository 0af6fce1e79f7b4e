import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT, cleanUp, everythingStdioLine, runCli, startDaemon } from './support';

// The CLI as a person meets it: help, exit codes, and errors that name the problem and the fix.

const execFileAsync = promisify(execFile);

afterEach(cleanUp);

describe('mcp-workstation CLI', () => {
  it('lists its commands with --help, and works through npx from the repository root', async () => {
    const { stdout } = await execFileAsync('npx', ['mcp-workstation', '--help'], { cwd: REPO_ROOT, timeout: 60_000 });
    expect(stdout).toMatch(/Commands:[\s\S]*\bup\b[\s\S]*\bbridge\b/);
    expect(stdout).toContain('Examples:');
  });

  it.each([['up'], ['bridge']])('has --help with examples for %s', async (command) => {
    const { code, stdout } = await runCli([command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(`mcp-workstation ${command}`);
    expect(stdout).toContain('Examples:');
  });

  it('prints its version', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('names an unknown flag and points at --help, with exit code 2 and no stack', async () => {
    const { code, stderr } = await runCli(['bridge', '--stdio', 'node x.js', '--portt', '8000']);
    expect(code).toBe(2);
    expect(stderr).toContain('--portt');
    expect(stderr).toContain("mcp-workstation bridge --help");
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('names an unknown command', async () => {
    const { code, stderr } = await runCli(['serve']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'serve'");
  });

  it("refuses supergateway's remote modes and client-side flags with the supported alternative", async () => {
    const sse = await runCli(['bridge', '--sse', 'https://remote.example/sse']);
    expect(sse.code).toBe(2);
    expect(sse.stderr).toContain('--stdio');
    const bearer = await runCli(['bridge', '--stdio', 'node x.js', '--oauth2Bearer', 'token-value']);
    expect(bearer.code).toBe(2);
    expect(bearer.stderr).toContain('--apiKeyFile');
    expect(bearer.stderr).not.toContain('token-value');
    const output = await runCli(['bridge', '--stdio', 'node x.js', '--outputTransport', 'stdio']);
    expect(output.code).toBe(2);
    expect(output.stderr).toContain('streamableHttp');
  });

  it('tells a supergateway user that a command comes first', async () => {
    const { code, stderr } = await runCli(['--stdio', 'node x.js', '--port', '8000']);
    expect(code).toBe(2);
    expect(stderr).toContain('mcp-workstation bridge --stdio');
  });

  it('says which command was not found and which PATH was searched', async () => {
    const { code, stderr } = await runCli(['bridge', '--stdio', 'no-such-mcp-server-xyz --flag', '--port', '0'], {
      env: { PATH: '/usr/bin:/bin' },
    });
    expect(code).toBe(1);
    expect(stderr).toContain('command "no-such-mcp-server-xyz" was not found on PATH (searched /usr/bin:/bin, from the daemon environment)');
    expect(stderr).toContain('Fix: give the absolute path of the command');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('says when the port is taken', async () => {
    const first = await startDaemon(['up', '--port', '0']);
    const port = new URL(first.endpoint).port;
    const { code, stderr } = await runCli(['up', '--port', port]);
    expect(code).toBe(1);
    expect(stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
  });

  it('warns that --apiKey shows in ps, and never prints the key', async () => {
    const daemon = await startDaemon(['bridge', '--stdio', everythingStdioLine(), '--outputTransport', 'streamableHttp', '--port', '0', '--apiKey', 'very-secret-key-1234']);
    await daemon.waitForOutput(/`ps`/);
    expect(daemon.output()).not.toContain('very-secret-key-1234');
  });

  it('writes JSON log lines when stderr is not a terminal', async () => {
    const daemon = await startDaemon(['up', '--port', '0']);
    const lines = daemon.stderrText().trim().split('\n');
    for (const line of lines) {
      expect(JSON.parse(line)).toEqual(expect.objectContaining({ level: expect.any(String), message: expect.any(String), timestamp: expect.any(String) }));
    }
    expect(lines.some((line) => (JSON.parse(line) as { url?: string }).url === daemon.endpoint)).toBe(true);
  });
});
