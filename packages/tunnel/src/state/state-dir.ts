import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StateError } from './state-error.js';
import { assertPrivate } from './permissions.js';

export const STATE_DIR_NAME = 'mcp-workstation';
export const SYSTEM_STATE_DIR = '/var/lib/mcp-workstation';

export interface StateDirOptions {
  /** An explicit directory (--state-dir); wins over everything else. */
  stateDir?: string;
  /** `system` for a system service (/var/lib/mcp-workstation); `user` (default) for a user's agent. */
  scope?: 'user' | 'system';
  /** For tests; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** For tests; default os.homedir(). */
  homeDir?: string;
}

/** Where the agent keeps its state; does not touch the file system. */
export function resolveStateDir(options: StateDirOptions = {}): string {
  if (options.stateDir !== undefined && options.stateDir !== '') return path.resolve(options.stateDir);
  if (options.scope === 'system') return SYSTEM_STATE_DIR;
  const xdgStateHome = (options.env ?? process.env).XDG_STATE_HOME;
  // The XDG base directory spec says a relative value is invalid and must be ignored.
  const base =
    xdgStateHome !== undefined && path.isAbsolute(xdgStateHome)
      ? xdgStateHome
      : path.join(options.homeDir ?? os.homedir(), '.local', 'state');
  return path.join(base, STATE_DIR_NAME);
}

/**
 * Creates the state directory with mode 0700 if it is missing, and otherwise checks it:
 * a directory owned by another user or open to the group or others is refused with the fix,
 * never silently repaired, because its files may already have leaked.
 */
export async function ensureStateDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(path.dirname(dir), { recursive: true });
    await fs.mkdir(dir, { mode: 0o700 });
    // A restrictive umask could have taken the owner's own bits away; this directory is ours.
    await fs.chmod(dir, 0o700);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw describeFsError(dir, err);
  }
  await checkStateDir(dir);
}

/** Checks an existing state directory; returns false when it does not exist. */
export async function checkStateDir(dir: string): Promise<boolean> {
  let stats;
  try {
    stats = await fs.stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw describeFsError(dir, err);
  }
  if (!stats.isDirectory()) {
    throw new StateError(dir, 'it is not a directory', 'remove it or choose another state directory with --state-dir');
  }
  assertPrivate(dir, stats, '700');
  return true;
}

function describeFsError(dir: string, err: unknown): StateError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  const fix =
    code === 'EACCES' || code === 'EPERM'
      ? 'run the agent as a user that may write there, or choose another state directory with --state-dir'
      : 'choose another state directory with --state-dir';
  return new StateError(dir, `cannot use it as the state directory (${code}: ${(err as Error).message})`, fix);
}
