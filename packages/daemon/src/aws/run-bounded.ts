import { spawn } from 'node:child_process';

/**
 * Runs a short command (`aws --version`, `aws sts get-caller-identity`) for the doctor, with
 * a deadline: the process group is killed when it runs out, so a CLI waiting on a network
 * that is not there cannot hold `doctor` up. Output is kept up to a cap.
 */

export interface BoundedRun {
  /** null when it did not exit by itself (timed out, or could not start). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when it could not be started at all (ENOENT, EACCES). */
  spawnError?: NodeJS.ErrnoException;
}

export interface BoundedRunOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

export type CommandRunner = (argv: string[], options: BoundedRunOptions) => Promise<BoundedRun>;

const OUTPUT_CAP = 64 * 1024;

export const runBounded: CommandRunner = (argv, options) =>
  new Promise((resolve) => {
    const [file, ...args] = argv;
    const child = spawn(file, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = (stdout + chunk).slice(0, OUTPUT_CAP)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(0, OUTPUT_CAP)));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    child.once('error', (spawnError: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, timedOut: false, spawnError });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? null : code, stdout, stderr, timedOut });
    });
  });

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
