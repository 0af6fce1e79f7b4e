import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cleanUp, connectClient, resultText, startDaemon, waitFor, withDeadline } from './support';
import { adminGet, adminStatus, everythingServerYaml, makeWorkspace, writeGatedServer, type Workspace } from './daemon-support';

// sd_notify under systemd: a real unix datagram socket (Node has none, so a python3 helper
// listens on it, as systemd would) receives READY=1 once the daemon is ready, WATCHDOG=1 at
// half of WATCHDOG_USEC, and STOPPING=1 when it stops.

const LISTENER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps("listening"), flush=True)
while True:
    data = s.recv(65536)
    print(json.dumps(data.decode("utf-8", "replace")), flush=True)
`;

class NotifySocket {
  readonly messages: string[] = [];
  private readonly process: ChildProcess;
  private listening = false;

  constructor(readonly path: string) {
    this.process = spawn('python3', ['-u', '-c', LISTENER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    this.process.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        const text = JSON.parse(buffer.slice(0, newline)) as string;
        buffer = buffer.slice(newline + 1);
        if (text === 'listening') this.listening = true;
        else this.messages.push(text);
      }
    });
  }

  ready(): Promise<boolean> {
    return waitFor(() => this.listening, { what: 'the python3 datagram listener' });
  }

  count(assignment: string): number {
    return this.messages.filter((message) => message.split('\n').includes(assignment)).length;
  }

  waitFor(assignment: string, times = 1): Promise<boolean> {
    return waitFor(() => this.count(assignment) >= times, { what: `${times} × ${assignment} on the notify socket (got ${JSON.stringify(this.messages)})`, timeoutMs: 20_000 });
  }

  stop(): void {
    this.process.kill('SIGKILL');
  }
}

let workspace: Workspace;
let notify: NotifySocket | null = null;
beforeEach(() => {
  workspace = makeWorkspace();
});
afterEach(async () => {
  await cleanUp();
  notify?.stop();
  notify = null;
  workspace.remove();
});

describe('sd_notify', () => {
  it('sends READY=1 only once ready, WATCHDOG=1 at half the interval, STOPPING=1 on SIGTERM', async () => {
    notify = new NotifySocket(path.join(workspace.dir, 'notify.sock'));
    await notify.ready();
    const gate = path.join(workspace.dir, 'open');
    const fixture = writeGatedServer(workspace);
    const config = workspace.write(
      'config.yaml',
      ['listen:', '  port: 0', 'servers:', '  gated:', `    command: ${JSON.stringify(process.execPath)}`, `    args: [${JSON.stringify(fixture)}]`, `    env: { GATE_FILE: ${JSON.stringify(gate)} }`, ''].join('\n'),
    );
    const daemon = await startDaemon(['up', '--config', config, '--admin', workspace.admin], { env: { NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '1000000' } });

    // Watchdog pings prove time passes while the server cannot start: no READY=1 meanwhile.
    await notify.waitFor('WATCHDOG=1', 2);
    expect((await adminStatus(workspace.admin)).ready).toBe(false);
    expect(notify.count('READY=1')).toBe(0);

    writeFileSync(gate, '');
    await notify.waitFor('READY=1');
    expect((await adminGet(workspace.admin, '/readyz')).status).toBe(200);

    daemon.child.kill('SIGTERM');
    expect(await withDeadline(daemon.exited(), 20_000, 'the daemon to exit')).toEqual({ code: 0, signal: null });
    await notify.waitFor('STOPPING=1');
    expect(notify.count('READY=1')).toBe(1);
  });

  it("keeps NOTIFY_SOCKET out of the servers' environment", async () => {
    notify = new NotifySocket(path.join(workspace.dir, 'notify.sock'));
    await notify.ready();
    const config = workspace.write('config.yaml', ['listen:', '  port: 0', 'servers:', everythingServerYaml('everything'), ''].join('\n'));
    const daemon = await startDaemon(['up', '--config', config, '--admin', workspace.admin], { env: { NOTIFY_SOCKET: notify.path } });
    await notify.waitFor('READY=1');
    const client = await connectClient('streamableHttp', daemon.endpoint);
    const env = JSON.parse(resultText(await client.client.callTool({ name: 'get-env', arguments: {} }))) as Record<string, string>;
    expect(env.PATH).toBeDefined();
    expect(env.NOTIFY_SOCKET).toBeUndefined();
    expect(env.WATCHDOG_USEC).toBeUndefined();
  });
});
