import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The absolute path `command` resolves to on PATH, as execFile will find it, or null.
 * (The supervisor has its own; the tunnel must not depend on the supervisor package.)
 */
export function findExecutable(command: string, pathVariable = process.env.PATH ?? '/usr/bin:/bin'): string | null {
  if (command.includes('/')) return isExecutable(command) ? path.resolve(command) : null;
  for (const directory of pathVariable.split(path.delimiter)) {
    // An empty entry means "the current directory" to POSIX: a hijacking risk, never searched.
    if (directory === '') continue;
    const candidate = path.join(directory, command);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
