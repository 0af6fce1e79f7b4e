import { parseAdminAddress } from './admin-address.js';
import type { ConfigFile } from './config-file.js';
import { hasSecretArgument, isSecretKey } from './secrets.js';
import type { DaemonConfig, ServerConfig } from './types.js';

/**
 * Things in a valid configuration that are probably not what was meant, or that expose a
 * secret. They never stop the daemon; `config check` and the start-up log show them. None
 * of them contains a secret's value.
 */

/** Bits that let the group or other users read the file. */
const READABLE_BY_OTHERS = 0o044;

export function serverWarnings(server: ServerConfig, file: ConfigFile | null): string[] {
  const warnings: string[] = [];
  const key = `servers.${server.name}`;
  if (!server.shell && server.args.length === 0 && /\s/.test(server.command.trim())) {
    warnings.push(
      `${key}.command '${server.command}' contains spaces and is run as one program name. ` +
        'If it is a command line, put the program in command and each argument in args (or set shell: true).',
    );
  }
  if (hasSecretArgument(server.args)) {
    warnings.push(
      `${key}.args passes what looks like a secret after a flag such as --token: any local user can read a process's arguments with ps. ` +
        'Pass it to the server in env instead, if it reads one.',
    );
  }
  warnings.push(...secretEnvWarnings(server, file));
  return warnings;
}

function secretEnvWarnings(server: ServerConfig, file: ConfigFile | null): string[] {
  if (file === null || (file.info.mode & READABLE_BY_OTHERS) === 0) return [];
  const secretNames = Object.entries(server.env)
    .filter(([name, value]) => isSecretKey(name) && typeof value === 'string' && value !== '')
    .map(([name]) => name);
  if (secretNames.length === 0) return [];
  const mode = file.info.mode.toString(8).padStart(4, '0');
  return [
    `servers.${server.name}.env holds ${secretNames.join(', ')}, which look${secretNames.length === 1 ? 's' : ''} like a secret, in ${file.info.path}, ` +
      `which other users can read (mode ${mode}). Fix: chmod 600 ${file.info.path}.`,
  ];
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function exposureWarnings(config: DaemonConfig): string[] {
  const warnings: string[] = [];
  const { host } = config.listen;
  if (!LOOPBACK.test(host)) {
    warnings.push(`listen.host is ${host}: other machines on the network can reach the MCP listener.`);
    if (config.security.apiKeyFile === null) warnings.push('no security.apiKeyFile is set, so anyone who can reach it may use the servers. Set one.');
  }
  if (config.security.corsOrigins.includes('*')) {
    warnings.push("security.corsOrigins has '*': any web page can use the servers from a browser (it also turns the Origin check off). List the origins instead.");
  }
  if (config.tunnel.allowHttp) {
    warnings.push('tunnel.allowHttp is true: a plain-http gateway that is not on this machine is allowed, and tokens and keys cross the network unencrypted.');
  }
  const admin = parseAdminAddress(config.admin);
  if (admin.kind === 'tcp' && !LOOPBACK.test(admin.host)) {
    warnings.push(`admin is ${config.admin}: /status and /metrics can be read from other machines. Use 127.0.0.1:PORT or a unix socket.`);
  }
  return warnings;
}
