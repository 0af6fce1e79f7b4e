import { cleanUp, connectClient, resultText, runCli, startDaemon, waitFor } from '../e2e/support';
import { FAULT_SERVER, scratchDir } from './support';

// The fault suite, part 3: configurations that cannot be used. At start: exit 78 (EX_CONFIG)
// within a deadline, naming the key and the fix. On reload (SIGHUP): refused as a whole, the
// log says why, and the running configuration (its child, its sessions) stays.

afterEach(cleanUp);

const scratches: Array<ReturnType<typeof scratchDir>> = [];
afterEach(() => scratches.splice(0).forEach((made) => made.remove()));
function scratch() {
  const made = scratchDir();
  scratches.push(made);
  return made;
}

describe('bad configurations at start: exit 78 naming the key and the fix', () => {
  const CASES: Array<[string, string, RegExp]> = [
    ['a port out of range', 'listen:\n  port: 99999\n', /listen\.port = 99999 \(file [^)]+:2\): must be a port number[^\n]*Fix: edit listen\.port in [^\n]* \(line 2\)/],
    ['a misspelt key', 'listen:\n  prot: 8000\n', /listen\.prot \(file [^)]+:2\): is not a configuration key; did you mean listen\.port\? Fix: rename it to listen\.port/],
    ['a server without a command', 'servers:\n  a:\n    args: [x]\n', /servers\.a\.command[^\n]*is required[^\n]*Fix: add command under servers\.a/],
    ['an unusable server name', 'servers:\n  Bad_Name:\n    command: node\n', /servers\.Bad_Name \(file [^)]+:2\): 'Bad_Name' is not a usable server name[^\n]*Fix: rename servers\.Bad_Name[^\n]*bad-name/],
    ['an unknown session mode', 'servers:\n  a:\n    command: node\n    sessionMode: sometimes\n', /servers\.a\.sessionMode = "sometimes"[^\n]*must be one of shared, stateless, per-session\. Fix: edit servers\.a\.sessionMode/],
    ['args that are no list', 'servers:\n  a:\n    command: node\n    args: 5\n', /servers\.a\.args = 5[^\n]*must be a list of strings[^\n]*Fix: edit servers\.a\.args/],
    ['a server written twice', 'servers:\n  a:\n    command: node\n  a:\n    command: node\n', /servers\.a \(file [^)]+:4\): is written twice \(lines 2 and 4\)[^\n]*Fix: rename or remove one of them/],
    ['a negative limit', 'limits:\n  maxSessions: -1\n', /limits\.maxSessions = -1[^\n]*must be a whole number, 1 or more\. Fix: edit limits\.maxSessions/],
    ['a nested bad duration', 'servers:\n  a:\n    command: node\n    restart:\n      initialDelayMs: fast\n', /servers\.a\.restart\.initialDelayMs = "fast"[^\n]*Fix: edit servers\.a\.restart\.initialDelayMs/],
    ['a secret in the file', 'apiKey: secret-value-5f1e\n', /apiKey \(file [^)]+:1\): is not a configuration key: secrets never go in the config file[^\n]*security\.apiKeyFile[^\n]*Fix: remove it/],
    ['YAML that does not parse', 'servers: [\n', /config file \(file [^)]+\): is not valid YAML at line 2, column 1[^\n]*Fix: correct it there/],
  ];

  it.each(CASES)('%s', async (_what, text, expected) => {
    const file = scratch().write('config.yaml', text);
    const result = await runCli(['up', '--config', file, '--port', '0', '--admin', `${file}.sock`], { timeoutMs: 15_000 });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(expected);
    expect(result.stderr).not.toContain('secret-value-5f1e');
    expect(result.stderr).not.toMatch(/\n\s+at /); // a user error, no stack
  });

  it('a bad value from the environment names the variable', async () => {
    const result = await runCli(['up', '--port', '0'], { env: { MCP_WORKSTATION_LOG_LEVEL: 'verbose' }, timeoutMs: 15_000 });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/logLevel = "verbose" \(env MCP_WORKSTATION_LOG_LEVEL\): must be one of error, warn, info, debug, none\. Fix: change or unset the environment variable MCP_WORKSTATION_LOG_LEVEL/);
  });

  it.each([
    ['--port', ['--port', '99999'], /--port must be a port number from 0 to 65535/],
    ['--outputTransport', ['--outputTransport', 'carrier-pigeon'], /--outputTransport must be one of streamableHttp, sse, ws, not 'carrier-pigeon'/],
    ['--sessionTimeout', ['--outputTransport', 'streamableHttp', '--stateful', '--sessionTimeout', '0'], /--sessionTimeout must be a positive whole number/],
  ])('bridge: a bad %s is a usage error (exit 2) naming the flag', async (_flag, args, expected) => {
    const result = await runCli(['bridge', '--stdio', `${process.execPath} ${FAULT_SERVER}`, ...(args as string[])], { timeoutMs: 15_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(expected as RegExp);
  });
});

describe('reload (SIGHUP) with a bad configuration', () => {
  const good = (value: string) =>
    ['listen:', '  port: 0', 'servers:', '  alpha:', `    command: ${JSON.stringify(process.execPath)}`, `    args: [${JSON.stringify(FAULT_SERVER)}]`, `    env: { FAULT_FIXTURE_NAME: ${value} }`, ''].join('\n');

  it('refuses each bad one with the reason in the log; the running child and its session stay; a good one then applies', async () => {
    const work = scratch();
    const file = work.write('config.yaml', good('first'));
    const daemon = await startDaemon(['up', '--config', file, '--admin', work.admin]);
    const client = await connectClient('streamableHttp', `${daemon.origin}/servers/alpha/mcp`);
    const pid = resultText(await client.client.callTool({ name: 'pid', arguments: {} }));

    const BAD: Array<[string, RegExp]> = [
      [good('first').replace('command:', 'comand:'), /the new configuration is refused; the running one stays: [^\n]*servers\.alpha\.comand[^\n]*did you mean/],
      [good('first').replace(JSON.stringify(process.execPath), '/nonexistent/fault-program'), /the new configuration is refused; the running one stays: [^\n]*\/nonexistent\/fault-program/],
      ['servers: [\n', /the new configuration is refused; the running one stays: [^\n]*not valid YAML at line 2/],
    ];
    for (const [text, reason] of BAD) {
      const mark = daemon.stderrText().length;
      work.write('config.yaml', text);
      daemon.child.kill('SIGHUP');
      await waitFor(() => reason.test(daemon.stderrText().slice(mark)), { what: `the log to say why the reload was refused (${reason})\n${daemon.output()}`, timeoutMs: 15_000 });
      // The same session, the same child.
      expect(resultText(await client.client.callTool({ name: 'pid', arguments: {} }, undefined, { timeout: 10_000 }))).toBe(pid);
      expect(resultText(await client.client.callTool({ name: 'echo', arguments: { message: 'still' } }))).toBe('Echo: still');
    }
    expect(daemon.running).toBe(true);

    work.write('config.yaml', good('second'));
    daemon.child.kill('SIGHUP');
    await daemon.waitForOutput(/configuration reloaded: restarted alpha \(changed\)/, 15_000);
    const after = await connectClient('streamableHttp', `${daemon.origin}/servers/alpha/mcp`);
    expect(resultText(await after.client.callTool({ name: 'pid', arguments: {} }))).not.toBe(pid);
  }, 90_000);
});
