import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { serviceLayout } from './layout.js';
import { renderServiceFile, type ServiceDefinition } from './render.js';
import { CLI_PATH, NODE_PATH, currentServiceUser } from './test-support/fixtures.js';
import { parseUnit, value } from './test-support/unit-file.js';

// How the systemd units stop the daemon: ExecStop gives the daemon alone its SIGTERM and waits
// for it (so it drains requests and stops its servers itself), then KillMode=control-group
// takes whatever is left in the unit's cgroup (helpers that escaped the servers' process
// groups). The ExecStop command is run here for real, against a real process.

const user = currentServiceUser();

function unitFor(scope: 'user' | 'system') {
  const def: ServiceDefinition = {
    platform: 'linux',
    scope,
    nodePath: NODE_PATH,
    cliPath: CLI_PATH,
    configPath: '/home/me/.config/mcp-workstation/config.yaml',
    stateDir: '/home/me/.local/state/mcp-workstation',
    path: '/usr/bin:/bin',
    user,
    needsNetAdmin: false,
  };
  const layout = serviceLayout({ platform: 'linux', scope, user, env: {} });
  return parseUnit(renderServiceFile(def, layout));
}

/** The shell script of `ExecStop=/bin/sh -c '…'`, with systemd's $$ and %% unescaped. */
function stopScript(execStop: string): string {
  const match = /^\/bin\/sh -c '([^']*)'$/.exec(execStop);
  if (!match) throw new Error(`ExecStop is not /bin/sh -c '…': ${execStop}`);
  return match[1].replace(/\$\$/g, '$').replace(/%%/g, '%');
}

function runStop(script: string, mainPid: number | undefined): Promise<number | null> {
  const env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin' };
  if (mainPid !== undefined) env.MAINPID = String(mainPid);
  const stop = spawn('/bin/sh', ['-c', script], { env, stdio: 'ignore' });
  return once(stop, 'exit').then(([code]) => code as number | null);
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe.each(['user', 'system'] as const)('the %s unit stops the daemon, then its cgroup', (scope) => {
  const unit = unitFor(scope);

  it('kills the whole control group, after an ExecStop of its own', () => {
    expect(value(unit, 'Service', 'KillMode')).toBe('control-group');
    expect(value(unit, 'Service', 'ExecStop')).toMatch(/^\/bin\/sh -c '/);
  });

  it('ExecStop sends SIGTERM to the main process and returns once it has exited', async () => {
    // A "daemon" that drains for a moment after SIGTERM, and says when it is done.
    const daemon = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => setTimeout(() => { process.stdout.write('drained'); process.exit(0); }, 300)); process.stdout.write('ready'); setInterval(() => {}, 1000);"], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    daemon.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    await withDeadline(once(daemon.stdout, 'data'), 10_000, 'the daemon to start');
    const exited = once(daemon, 'exit');
    try {
      expect(await withDeadline(runStop(stopScript(value(unit, 'Service', 'ExecStop') ?? ''), daemon.pid), 10_000, 'ExecStop to return')).toBe(0);
      // It returned only after the daemon had drained and exited.
      expect(out).toBe('readydrained');
      expect(await exited).toEqual([0, null]);
    } finally {
      daemon.kill('SIGKILL');
    }
  });

  it('ExecStop does nothing, and succeeds, when the daemon is already gone (MAINPID unset)', async () => {
    expect(await withDeadline(runStop(stopScript(value(unit, 'Service', 'ExecStop') ?? ''), undefined), 5_000, 'ExecStop to return')).toBe(0);
  });
});
