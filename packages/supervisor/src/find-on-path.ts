import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** What execvp (and libuv) search when PATH is not set at all. */
export const DEFAULT_SEARCH_PATH = '/usr/bin:/bin';

/**
 * The absolute path of the executable `command` would run, or null.
 *
 * A command with a slash is checked as given (relative to this process's cwd); otherwise
 * each PATH entry is tried in order. Empty PATH entries are skipped: POSIX reads them as
 * "the current directory", which is both a known hijacking risk and ambiguous for a child
 * that runs in another cwd. `pathVariable` defaults to this process's PATH (or, when that
 * is unset, the same default search path execvp uses).
 */
export function findOnPath(command: string, pathVariable?: string): string | null {
  if (command === '') return null;
  if (command.includes('/')) return isExecutableFile(command) ? path.resolve(command) : null;
  for (const directory of searchDirectories(pathVariable)) {
    const candidate = path.resolve(directory, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/**
 * The first file named `command` on PATH that exists but is not executable, so a
 * "not found" can become the more useful "found, but not executable".
 */
export function findNonExecutableOnPath(command: string, pathVariable?: string): string | null {
  if (command === '' || command.includes('/')) return null;
  for (const directory of searchDirectories(pathVariable)) {
    const candidate = path.resolve(directory, command);
    if (isFile(candidate) && !isExecutableFile(candidate)) return candidate;
  }
  return null;
}

function searchDirectories(pathVariable: string | undefined): string[] {
  const value = pathVariable ?? process.env.PATH ?? DEFAULT_SEARCH_PATH;
  return value.split(path.delimiter).filter((entry) => entry !== '');
}

/** A regular file (or a link to one) with execute permission for this process. */
export function isExecutableFile(file: string): boolean {
  if (!isFile(file)) return false;
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
