import { promises as fs } from 'node:fs';
import { StateError } from './state-error.js';
import { assertPrivate } from './permissions.js';

/**
 * Creates the state directory with mode 0700 if it is missing (missing parents too, as the
 * XDG base directory spec asks), and otherwise checks it: a directory owned by another user or
 * open to the group or others is refused with the fix, never silently repaired, because its
 * files may already have leaked.
 */
export async function ensureStateDir(dir: string): Promise<void> {
  let created: string | undefined;
  try {
    created = await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    // EEXIST: something that is no directory is in the way; checkStateDir says so below.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw describeFsError(dir, err);
  }
  // A restrictive umask could have taken the owner's own bits away; a directory made here is ours.
  if (created !== undefined) await fs.chmod(dir, 0o700);
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
      ? 'run as a user that may write there, or choose another state directory with --state-dir'
      : 'choose another state directory with --state-dir';
  return new StateError(dir, `cannot use it as the state directory (${code}: ${(err as Error).message})`, fix);
}
