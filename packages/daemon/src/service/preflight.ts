import { checkServerCommand } from '@mcp-workstation/supervisor';
import type { ServerCommand } from '@mcp-workstation/supervisor';
import { UserError } from '../errors.js';

/**
 * Fails fast, before anything listens, when the server's program cannot run at all: the
 * supervisor would report the same thing as a `failed` state, but at the command line a
 * person wants one clear sentence and a non-zero exit. The sentence is the supervisor's own
 * (the PATH searched and where it came from, the fix), so both places say the same thing.
 */
export function checkCommandRunnable(serverName: string, command: ServerCommand): void {
  const problem = checkServerCommand(serverName, command);
  if (problem !== null) throw new UserError(problem);
}
