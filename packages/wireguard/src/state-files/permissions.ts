import type { Stats } from 'node:fs';
import { StateError } from './state-error.js';

/** Bits that give the group or other users any access. */
export const GROUP_OR_WORLD_ACCESS = 0o077;

export function formatMode(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}

/** The current user's id, or undefined where the platform has none (Windows): ownership is then not checked. */
function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/**
 * Refuses a state directory or file that another user owns or that the group or others can
 * reach: its secrets may already have leaked, or someone else may have planted its content.
 * `chmodMode` is what the fix tells the operator to set (700 for a directory, 600 for a file).
 */
export function assertPrivate(path: string, stats: Stats, chmodMode: '700' | '600'): void {
  const uid = currentUid();
  if (uid !== undefined && stats.uid !== uid) {
    throw new StateError(
      path,
      `it is owned by user id ${stats.uid}, not by the user running this program (${uid})`,
      `use a state directory of your own (--state-dir), or as root: chown -R ${uid} ${path}`,
    );
  }
  if ((stats.mode & GROUP_OR_WORLD_ACCESS) !== 0) {
    throw new StateError(
      path,
      `its permissions ${formatMode(stats.mode)} let the group or other users in; it holds secrets`,
      `chmod ${chmodMode} ${path}`,
    );
  }
}
