import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CLI_BIN, FIXTURES, REPO_ROOT, assertBuilt, connectClient, closeAllClients, resultText, runCli, waitFor } from './support';

// `mcp-workstation up --interactive` in a real terminal: the built CLI runs on a
// pseudo-terminal (node-pty), the guide's command line runs the fixture `uvx`, and the
// person at the terminal is this test, typing answers. When the credentials expire the
// daemon asks; "y" runs the fixture `aws login` on the same terminal (its "Press Enter"
// prompt answered through it), and the restarted child serves the next call.

interface PtyProcess {
  onData(listener: (data: string) => void): { dispose(): void };
  onExit(listener: (event: { exitCode: number; signal?: number }) => void): { dispose(): void };
  write(data: string): void;
  kill(signal?: string): void;
  pid: number;
}

interface PtyModule {
  spawn(file: string, args: string[], options: { name: string; cols: number; rows: number; cwd: string; env: NodeJS.ProcessEnv }): PtyProcess;
}

function loadPty(): PtyModule | string {
  try {
    return require('node-pty') as PtyModule;
  } catch (error) {
    return `node-pty does not load (${(error as Error).message.split('\n')[0]}): npm ci builds it (it needs python3, make and g++)`;
  }
}

const pty = loadPty();
const GUIDE_ARGV = ['uvx', 'mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp', '--metadata', 'AWS_REGION=us-east-1'];
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** The daemon on a terminal: what it printed so far (colours removed), and a keyboard. */
class TerminalDaemon {
  private text = '';
  private exitCode: number | null = null;
  readonly exited: Promise<number>;

  constructor(readonly term: PtyProcess) {
    term.onData((data) => (this.text += data.replace(ANSI, '')));
    this.exited = new Promise((resolve) => term.onExit(({ exitCode }) => resolve((this.exitCode = exitCode))));
  }

  /** What the terminal showed after `from` (an offset into everything it showed). */
  shown(from = 0): string {
    return this.text.slice(from);
  }

  get length(): number {
    return this.text.length;
  }

  async waitFor(pattern: RegExp, from = 0, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    return waitFor(
      () => {
        const match = this.text.slice(from).match(pattern);
        if (match) return match;
        if (this.exitCode !== null) throw new Error(`the daemon exited (${this.exitCode}) before showing ${pattern}:\n${this.text}`);
        return undefined;
      },
      { timeoutMs, what: `the terminal to show ${pattern}\n--- terminal ---\n${this.text}` },
    );
  }

  type(keys: string): void {
    this.term.write(keys);
  }

  async stop(): Promise<void> {
    if (this.exitCode !== null) return;
    this.term.kill('SIGTERM');
    await Promise.race([this.exited, waitFor(() => this.exitCode !== null || undefined, { timeoutMs: 20_000, what: 'the daemon to exit' })]);
  }
}

const homes: string[] = [];
const daemons: TerminalDaemon[] = [];

afterEach(async () => {
  await closeAllClients();
  for (const daemon of daemons.splice(0)) await daemon.stop();
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function workstation(): { env: NodeJS.ProcessEnv; setState(state: string): void; calls: string } {
  const home = mkdtempSync(path.join(tmpdir(), 'mcpw-e2e-aws-interactive-'));
  homes.push(home);
  mkdirSync(path.join(home, '.aws'));
  writeFileSync(path.join(home, '.aws', 'config'), '[default]\nregion = us-east-1\nlogin_session = arn:aws:sts::123456789012:assumed-role/Admin/ada\n');
  const stateFile = path.join(home, 'state');
  writeFileSync(stateFile, 'ok\n');
  const calls = path.join(home, 'aws-calls.jsonl');
  const env = {
    ...process.env,
    PATH: `${path.join(FIXTURES, 'aws')}${path.delimiter}${process.env.PATH}`,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'xdg'),
    FIXTURE_AWS_STATE_FILE: stateFile,
    FIXTURE_AWS_CALLS: calls,
    FIXTURE_AWS_LOGIN_PROMPT: '1',
  };
  return { env, calls, setState: (state) => writeFileSync(stateFile, `${state}\n`) };
}

function startOnTerminal(module: PtyModule, env: NodeJS.ProcessEnv): TerminalDaemon {
  assertBuilt();
  const args = [CLI_BIN, 'up', '--interactive', '--port', '0', '--name', 'aws', '--', ...GUIDE_ARGV];
  const daemon = new TerminalDaemon(module.spawn(process.execPath, args, { name: 'xterm-256color', cols: 200, rows: 50, cwd: REPO_ROOT, env }));
  daemons.push(daemon);
  return daemon;
}

function loginCalls(file: string): string[][] {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { argv: string[] }).argv);
  } catch {
    return [];
  }
}

const call = (client: Awaited<ReturnType<typeof connectClient>>) => client.client.callTool({ name: 'aws___call_aws', arguments: { cli_command: 'aws s3 ls' } });

if (typeof pty === 'string' && process.env.CI) {
  test('node-pty loads (up --interactive is tested through it)', () => {
    throw new Error(pty);
  });
} else if (typeof pty === 'string') {
  test.todo(`up --interactive on a terminal: runs where node-pty loads (here: ${pty})`);
} else {
  describe('mcp-workstation up --interactive', () => {
    test('on expiry it asks; "y" runs aws login on the same terminal, and the restarted child serves the next call', async () => {
      const machine = workstation();
      const daemon = startOnTerminal(pty, machine.env);
      const [, endpoint] = await daemon.waitFor(/MCP endpoint: (http:\/\/\S+)/);
      const client = await connectClient('streamableHttp', endpoint);
      expect(resultText(await call(client))).toContain('ran "aws s3 ls"');

      machine.setState('expired');
      await expect(call(client)).rejects.toMatchObject({ code: -32010 });
      const asked = await daemon.waitFor(/AWS credentials for profile default \(server aws\) have expired\. Run `aws login` here now\? \[Y\/n\] /);
      const afterQuestion = (asked.index ?? 0) + asked[0].length;
      daemon.type('y\r');
      await daemon.waitFor(/Press Enter to continue/, afterQuestion);
      daemon.type('\r');
      await daemon.waitFor(/Updated profile default to use the new login session/, afterQuestion);
      await daemon.waitFor(/`aws login` finished: aws restarts as soon as it sees the new credentials/, afterQuestion);
      expect(loginCalls(machine.calls)).toEqual([['login']]);
      await daemon.waitFor(/AWS credentials changed \(login-cache\): restarting aws/, afterQuestion);
      await waitFor(async () => resultText(await call(client)).includes('ran "aws s3 ls"'), { what: 'the restarted child to answer', timeoutMs: 20_000 });
      await daemon.waitFor(/credentials: ok/, afterQuestion);
    });

    test('"n" leaves the credentials alone and says how to renew them later; the daemon keeps serving', async () => {
      const machine = workstation();
      const daemon = startOnTerminal(pty, machine.env);
      const [, endpoint] = await daemon.waitFor(/MCP endpoint: (http:\/\/\S+)/);
      const client = await connectClient('streamableHttp', endpoint);
      machine.setState('expired');
      await expect(call(client)).rejects.toMatchObject({ code: -32010 });
      await daemon.waitFor(/Run `aws login` here now\? \[Y\/n\] /);
      daemon.type('n\r');
      await daemon.waitFor(/not running `aws login`: run `mcp-workstation login aws` \(or `aws login`\) in another terminal/);
      expect(loginCalls(machine.calls)).toEqual([]);
      // Still expired, still serving: the next call gets the same plain error, with no second question.
      const before = daemon.length;
      await expect(call(client)).rejects.toMatchObject({ code: -32010 });
      expect(daemon.shown(before)).not.toMatch(/here now\?/);
    });
  });
}

describe('mcp-workstation up --interactive without a terminal', () => {
  test('is refused before anything starts, with the fix', async () => {
    const result = await runCli(['up', '--interactive', '--port', '0', '--', 'node', '-e', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--interactive asks on the terminal before running `aws login`, but standard input is not a terminal');
    expect(result.stderr).toContain('Fix: run `mcp-workstation up --interactive` in a terminal');
  });
});
