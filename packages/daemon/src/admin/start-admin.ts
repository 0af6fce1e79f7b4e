import type { AdminAddress } from '../config/admin-address.js';
import { UserError } from '../errors.js';
import type { DaemonLogger } from '../logging/logger.js';
import { startAdminServer, type AdminHandlers, type AdminServer } from './admin-server.js';

/** Where the admin listener goes, and whether a person chose it (flag, variable, file) or it is the default. */
export interface AdminSetting {
  address: AdminAddress;
  /** How it was given, for messages: "--admin", "MCP_WORKSTATION_ADMIN", "the default 127.0.0.1:8001". */
  givenBy: string;
  explicit: boolean;
}

/**
 * Starts the admin listener. A listener that was asked for and cannot start stops the daemon
 * (health checks would fail silently otherwise); the default one, busy because another daemon
 * runs on this machine, only costs a warning: the MCP listener matters more.
 */
export async function startAdmin(setting: AdminSetting, handlers: AdminHandlers, logger: DaemonLogger): Promise<AdminServer | null> {
  try {
    const server = await startAdminServer(setting.address, handlers);
    logger.info(`admin: ${server.location} (/healthz, /readyz, /status, /metrics)`, { admin: server.location });
    return server;
  } catch (error) {
    const problem = describeFailure(setting.address, error as NodeJS.ErrnoException);
    if (setting.explicit) throw new UserError(`cannot start the admin listener given by ${setting.givenBy}: ${problem}`);
    logger.warn(`no admin listener (${problem}); \`mcp-workstation status\` cannot reach this daemon. Choose a free one with --admin 127.0.0.1:<port> or --admin <socket path>.`);
    return null;
  }
}

function describeFailure(address: AdminAddress, error: NodeJS.ErrnoException): string {
  const where = address.kind === 'tcp' ? `${address.host}:${address.port}` : address.path;
  switch (error.code) {
    case 'EADDRINUSE':
      return address.kind === 'tcp'
        ? `${where} is already in use (another mcp-workstation?); choose another port, or a unix socket path`
        : `another process answers on ${where} (another mcp-workstation?); stop it or choose another path`;
    case 'EACCES':
    case 'EPERM':
      return `not allowed to listen on ${where}: choose a port above 1024, or a socket path in a directory you own`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `${address.kind === 'tcp' ? address.host : where} is not an address of this machine: use 127.0.0.1`;
    default:
      return `${where}: ${error.message}`;
  }
}
