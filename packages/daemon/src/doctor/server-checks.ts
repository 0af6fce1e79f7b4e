import * as path from 'node:path';
import { findOnPath } from '@mcp-workstation/supervisor';
import type { ServerConfig } from '../config/types.js';
import type { DoctorCheck } from './types.js';

/**
 * Each server's program: on the PATH `up` sees here, and on the short PATH a service manager
 * gives when nothing records one (the cause of `spawn uvx ENOENT` under systemd and launchd).
 * `service install` records this shell's PATH, so a program found only here is a warning.
 */

const DEFAULT_SERVICE_PATH: Record<string, string> = {
  linux: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin',
  darwin: '/usr/bin:/bin:/usr/sbin:/sbin',
};

export function serverCommandChecks(servers: ServerConfig[], env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): DoctorCheck[] {
  return servers.map((server) => serverCheck(server, env, DEFAULT_SERVICE_PATH[platform] ?? DEFAULT_SERVICE_PATH.linux));
}

function serverCheck(server: ServerConfig, env: NodeJS.ProcessEnv, servicePath: string): DoctorCheck {
  const name = `server ${server.name}: command`;
  if (server.shell) return { name, state: 'info', detail: `run through /bin/sh -c: ${server.command} (the shell resolves it)` };
  const searchPath = server.env.PATH ?? env.PATH ?? '';
  if (server.command.includes('/')) {
    const file = path.resolve(server.cwd ?? process.cwd(), server.command);
    return findOnPath(file, '') === null
      ? { name, state: 'fail', detail: `${file} does not exist or is not executable`, fix: `install it there, or correct servers.${server.name}.command` }
      : { name, state: 'ok', detail: file };
  }
  const here = findOnPath(server.command, searchPath);
  if (here === null) {
    return {
      name,
      state: 'fail',
      detail: `${server.command} is not on PATH (${searchPath || 'empty'})`,
      fix: `install it, or set servers.${server.name}.command to its absolute path`,
    };
  }
  if (server.env.PATH === undefined && findOnPath(server.command, servicePath) === null) {
    return {
      name,
      state: 'warn',
      detail: `${here}, but not on the PATH a service manager gives by default (${servicePath})`,
      fix: `\`mcp-workstation service install\` records this shell's PATH; a unit written by hand needs Environment=PATH=… or command: ${here}`,
    };
  }
  return { name, state: 'ok', detail: here };
}
