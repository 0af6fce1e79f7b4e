import { spawn } from 'node:child_process';
import type { ExitInfo } from './types';
import { isProcessAlive } from './process-group';
import { cgroupOf, variableIn } from './strays';
import { fixtureCommand, nextEvent, RecordingLogger, request, resultOf, TestResources, waitFor } from '../test-fixtures/helpers';

// Processes of a server that left its process group (setsid, a double fork) are found and
// stopped with it: on stop() and when it dies by itself, before the next spawn.

const resources = new TestResources();
afterEach(() => resources.cleanup());

async function escapedGrandchild(server: import('./supervised-server').SupervisedServer, escape: 'setsid' | 'orphan'): Promise<number> {
  const pid = resultOf((await request(server, 'spawnGrandchild', { escape })).message).pid as number;
  resources.pid(pid);
  expect(isProcessAlive(pid)).toBe(true);
  return pid;
}

describe('processes that left the process group', () => {
  it('stop() stops a setsid() grandchild and an orphaned one, and says so in the log', async () => {
    const logger = new RecordingLogger();
    const server = resources.server({ name: 'escaper', command: fixtureCommand(), logger });
    await server.start();
    const setsid = await escapedGrandchild(server, 'setsid');
    const orphan = await escapedGrandchild(server, 'orphan');
    await server.stop();
    expect(isProcessAlive(setsid)).toBe(false);
    expect(isProcessAlive(orphan)).toBe(false);
    const record = logger.find((r) => r.message.includes('that had left its process group'));
    expect(record?.message).toMatch(/stopped 2 of its processes that had left its process group/);
    expect(record?.message).toContain(String(setsid));
    expect(record?.message).toContain(String(orphan));
  });

  it('a child that dies leaves none behind: they are stopped before the restart', async () => {
    const server = resources.server({ name: 'crasher', command: fixtureCommand(), restart: { initialDelayMs: 10, maxDelayMs: 10 } });
    await server.start();
    server.markReady();
    const orphan = await escapedGrandchild(server, 'orphan');
    const exited = nextEvent<[ExitInfo]>(server, 'exit');
    const respawned = nextEvent(server, 'spawn');
    server.send({ jsonrpc: '2.0', method: 'exit', params: { code: 1 } });
    await exited;
    await respawned;
    expect(isProcessAlive(orphan)).toBe(false);
  });

  it('an unrelated process that left no trace of the server is left alone', async () => {
    const outsider = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    resources.pid(outsider.pid!);
    const server = resources.server({ name: 'tidy', command: fixtureCommand() });
    await server.start();
    await escapedGrandchild(server, 'setsid');
    await server.stop();
    expect(isProcessAlive(outsider.pid!)).toBe(true);
  });
});

describe('strays helpers', () => {
  it('variableIn reads one variable of an environ block, whole names only', () => {
    const environ = Buffer.from('XMCP_RUN=no\0PATH=/bin\0MCP_RUN=abc.1\0HOME=/root\0');
    expect(variableIn(environ, 'MCP_RUN')).toBe('abc.1');
    expect(variableIn(environ, 'PATH')).toBe('/bin');
    expect(variableIn(Buffer.from('MCP_RUN=first\0'), 'MCP_RUN')).toBe('first');
    expect(variableIn(environ, 'NOPE')).toBeNull();
  });

  it('cgroupOf: the unit cgroup of a systemd service, v2, hybrid or v1; nothing for a session scope or the root', () => {
    const all = () => true;
    expect(cgroupOf('0::/system.slice/mcp-workstation.service\n', all)).toBe('/sys/fs/cgroup/system.slice/mcp-workstation.service');
    const hybrid = (file: string) => file.startsWith('/sys/fs/cgroup/unified/');
    expect(cgroupOf('1:name=systemd:/user.slice/user-1000.slice/user@1000.service/app.slice/mcp-workstation.service\n0::/user.slice/user-1000.slice/user@1000.service/app.slice/mcp-workstation.service\n', hybrid)).toBe(
      '/sys/fs/cgroup/unified/user.slice/user-1000.slice/user@1000.service/app.slice/mcp-workstation.service',
    );
    const v1 = (file: string) => file.startsWith('/sys/fs/cgroup/systemd/');
    expect(cgroupOf('4:memory:/system.slice/x.service\n1:name=systemd:/system.slice/x.service\n', v1)).toBe('/sys/fs/cgroup/systemd/system.slice/x.service');
    expect(cgroupOf('0::/user.slice/user-1000.slice/session-2.scope\n', all)).toBeNull();
    expect(cgroupOf('0::/\n', all)).toBeNull();
    expect(cgroupOf('0::/system.slice/x.service\n', () => false)).toBeNull();
  });
});

describe('a process that leaves the group while the group is being stopped', () => {
  it('is found by the second look, after the group is gone', async () => {
    const logger = new RecordingLogger();
    const server = resources.server({ name: 'late', command: fixtureCommand('--escape-on-sigterm'), logger });
    let escaped: number | undefined;
    server.on('stderr', (line) => {
      const match = /^escaped (\d+)$/.exec(line);
      if (match) escaped = resources.pid(Number(match[1]));
    });
    await server.start();
    await request(server, 'echo'); // its SIGTERM handler is in place
    // The first look happens before SIGTERM, when this helper does not exist yet.
    await server.stop();
    const pid = await waitFor('the helper started on SIGTERM', () => escaped);
    await waitFor(`the late helper ${pid} to be stopped`, () => !isProcessAlive(pid));
    expect(logger.find((r) => r.message.includes('left its process group') && r.message.includes(String(pid)))).toBeDefined();
  });
});
