import * as os from 'node:os';
import * as path from 'node:path';

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
