import * as os from 'node:os';
import * as path from 'node:path';
import type { ConfigSource } from './types.js';

/**
 * Paths in the configuration: '~' is the home directory; a relative path in the config file
 * starts from the file's folder (so a file and what it names can move together); a relative
 * path from a flag or a variable starts from the working directory, as a shell user expects.
 */

export interface PathContext {
  cwd: string;
  home: string;
}

export function homeDirectory(env: NodeJS.ProcessEnv): string {
  return env.HOME !== undefined && path.isAbsolute(env.HOME) ? env.HOME : os.homedir();
}

export function expandHome(value: string, home: string): string {
  if (value === '~') return home;
  return value.startsWith('~/') ? path.join(home, value.slice(2)) : value;
}

export function resolveConfiguredPath(value: string, source: ConfigSource, context: PathContext): string {
  const expanded = expandHome(value, context.home);
  if (path.isAbsolute(expanded)) return path.normalize(expanded);
  const base = source.kind === 'file' && source.file !== undefined ? path.dirname(source.file) : context.cwd;
  return path.resolve(base, expanded);
}
