import type { RestartPolicy, ServerCommand } from '@mcp-workstation/supervisor';
import type { ServerConfig } from './types.js';

/** A configured server in the supervisor's terms. */

export function toServerCommand(server: ServerConfig): ServerCommand {
  // The supervisor removes a variable given as undefined; the config writes that as null.
  const env = Object.fromEntries(Object.entries(server.env).map(([name, value]) => [name, value ?? undefined]));
  return { command: server.command, args: [...server.args], env, cwd: server.cwd ?? undefined, shell: server.shell };
}

export function toRestartPolicy(server: ServerConfig): RestartPolicy {
  return { ...server.restart };
}
