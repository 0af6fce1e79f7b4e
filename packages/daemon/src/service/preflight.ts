import { accessSync, constants, statSync } from 'node:fs';
import { findOnPath } from '@mcp-workstation/supervisor';
import type { ServerCommand } from '@mcp-workstation/supervisor';
import { UserError } from '../errors.js';

/**
 * Fails fast, before anything listens, when the server's program cannot run at all: the
 * supervisor would report the same thing as a `failed` state, but at the command line a
 * person wants one clear sentence and a non-zero exit. Services start with a shorter PATH
 * than a terminal, which is how `spawn uvx ENOENT` happens, so the PATH searched is shown.
 */
export function checkCommandRunnable(serverName: string, command: ServerCommand, env: NodeJS.ProcessEnv = process.env): void {
  if (command.shell) return; // the shell resolves it; its own error reaches the logs
  if (command.command.includes('/')) return checkExecutableFile(serverName, command.command);
  const pathVariable = command.env?.PATH ?? env.PATH ?? '';
  if (findOnPath(command.command, pathVariable) === null) {
    throw new UserError(
      `cannot start server '${serverName}': command not found: ${command.command}. ` +
        `Searched PATH=${pathVariable || '(empty)'}. Install it, or give its absolute path ` +
        `(a service manager starts programs with a shorter PATH than your terminal).`,
    );
  }
}

function checkExecutableFile(serverName: string, file: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new UserError(`cannot start server '${serverName}': ${file} does not exist.`);
  }
  if (!isFile) throw new UserError(`cannot start server '${serverName}': ${file} is not a file.`);
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new UserError(`cannot start server '${serverName}': ${file} is not executable: run chmod +x ${file}, or start it through its interpreter.`);
  }
}
