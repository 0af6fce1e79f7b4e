import { spawn } from 'node:child_process';
import path from 'node:path';
import { isProcessAlive } from './process-group';
import { trackGroup, untrackGroup } from './exit-cleanup';
import { watchdogPid } from './watchdog';
import { TestResources, waitFor } from '../test-fixtures/helpers';

// SIGKILL of the daemon runs none of its code: the watchdog, a small sh beside it, stops
// what the daemon started once the daemon's end of its pipe closes.

const resources = new TestResources();
afterEach(() => resources.cleanup());

interface Pids {
  child: number;
  grandchild: number;
  stray: number;
  watchdog: number;
}

describe('the watchdog', () => {
  it('stops the servers of a daemon killed with SIGKILL: a child that ignores EOF, its group, a helper that left it', async () => {
    const daemon = spawn(process.execPath, [path.join(__dirname, '..', 'test-fixtures', 'killed-daemon.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
    resources.pid(daemon.pid!);
    let out = '';
    daemon.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const pids = await waitFor('the pids of the daemon', () => (out.includes('\n') ? (JSON.parse(out) as Pids) : undefined), 20_000);
    for (const pid of Object.values(pids)) resources.pid(pid);
    expect(Object.values(pids).every((pid) => typeof pid === 'number' && isProcessAlive(pid))).toBe(true);

    daemon.kill('SIGKILL');
    await waitFor('the child, its grandchild, the stray and the watchdog to be gone', () =>
      Object.values(pids).every((pid) => !isProcessAlive(pid)),
    );
  });

  it('is started again when it is killed while the daemon lives', async () => {
    const sleeper = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    resources.pid(sleeper.pid!);
    trackGroup(sleeper.pid!, { graceMs: 1_000 });
    try {
      const first = await waitFor('the watchdog', () => watchdogPid());
      process.kill(first, 'SIGKILL');
      const second = await waitFor('another watchdog', () => {
        const pid = watchdogPid();
        return pid !== null && pid !== first && isProcessAlive(pid) ? pid : undefined;
      });
      expect(isProcessAlive(second)).toBe(true);
    } finally {
      untrackGroup(sleeper.pid!);
    }
  });

  it('ends with the last group it watches, and comes back with the next', async () => {
    const first = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    resources.pid(first.pid!);
    trackGroup(first.pid!, { graceMs: 1_000 });
    const watchdog = await waitFor('the watchdog', () => watchdogPid());
    untrackGroup(first.pid!);
    expect(watchdogPid()).toBeNull();
    await waitFor(`the watchdog ${watchdog} to be gone`, () => !isProcessAlive(watchdog));

    const next = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    resources.pid(next.pid!);
    trackGroup(next.pid!, { graceMs: 1_000 });
    try {
      const again = await waitFor('a new watchdog', () => watchdogPid());
      expect(again).not.toBe(watchdog);
      expect(isProcessAlive(again)).toBe(true);
    } finally {
      untrackGroup(next.pid!);
    }
  });
});
