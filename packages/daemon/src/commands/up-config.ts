import { resolveApiKey, type ResolvedApiKey } from '../cli/api-key.js';
import type { FlagValue } from '../cli/flags.js';
import { stringFlag } from '../cli/values.js';
import { parseAdminAddress } from '../config/admin-address.js';
import { EX_CONFIG } from '../config/config-error.js';
import { toRestartPolicy, toServerCommand } from '../config/server-command.js';
import { describeSource } from '../config/sources.js';
import type { DaemonConfig, LoadedConfig, ServerConfig, TunnelSwitch } from '../config/types.js';
import type { AdminSetting } from '../admin/start-admin.js';
import { UsageError, UserError } from '../errors.js';
import { isLoopbackHost, isWildcardHost } from '../service/endpoints.js';
import type { TunnelSettings } from '../service/tunnel-link.js';
import type { ServedServer, ServiceConfig } from '../wiring.js';

/** A loaded configuration in the terms of the parts that run it: servers and bridge, tunnel, admin. */

export interface ServiceInputs {
  values: Record<string, FlagValue>;
  env: NodeJS.ProcessEnv;
  /** `--env-file` values: under each server's own env, over the daemon's environment. */
  envFile?: Map<string, string>;
}

export function serviceConfigOf(loaded: LoadedConfig, inputs: ServiceInputs): { service: ServiceConfig; apiKey: ResolvedApiKey | undefined } {
  const { config } = loaded;
  const apiKey = apiKeyOf(config, inputs);
  const allowedOrigins = config.security.allowedOrigins;
  const corsOrigins = config.security.corsOrigins;
  const service: ServiceConfig = {
    servers: config.servers.map((server) => servedServer(server, config, inputs.envFile)),
    host: config.listen.host,
    port: config.listen.port,
    defaultServer: config.servers[0]?.name,
    allowedHosts: [...config.security.allowedHosts, ...bindAddressHosts(config.listen.host)],
    bridge: {
      security: {
        ...(apiKey ? { apiKey: apiKey.key } : {}),
        ...(allowedOrigins.length > 0 ? { allowedOrigins } : {}),
        ...(corsOrigins.length > 0 ? { corsOrigins } : {}),
      },
      limits: {
        maxBodyBytes: config.limits.maxBodyBytes,
        maxSessions: config.limits.maxSessions,
        sessionIdleMs: config.limits.sessionIdleMs,
        streamBufferBytes: config.limits.streamBufferBytes,
      },
    },
    optionNaming: 'config',
    stateDir: config.stateDir,
  };
  return { service, apiKey };
}

function servedServer(server: ServerConfig, config: DaemonConfig, envFile: Map<string, string> | undefined): ServedServer {
  const command = toServerCommand(server);
  if (envFile && envFile.size > 0) command.env = { ...Object.fromEntries(envFile), ...command.env };
  return {
    name: server.name,
    command,
    mode: server.sessionMode,
    initializeTimeoutMs: server.startTimeoutMs,
    restart: toRestartPolicy(server),
    restartWaitMs: config.limits.restartWaitMs,
    maxMessageBytes: config.limits.maxMessageBytes,
    sessionIdleMs: server.sessionMode === 'per-session' ? config.limits.sessionIdleMs : undefined,
  };
}

/** The key callers must send: --api-key (with a warning), else security.apiKeyFile, else MCP_WORKSTATION_API_KEY. */
function apiKeyOf(config: DaemonConfig, inputs: ServiceInputs): ResolvedApiKey | undefined {
  try {
    return resolveApiKey({
      flagValue: stringFlag(inputs.values, 'apiKey'),
      file: config.security.apiKeyFile ?? undefined,
      env: inputs.env,
      flagName: '--api-key',
      fileFlagName: 'security.apiKeyFile (--api-key-file)',
    });
  } catch (error) {
    // A key file that cannot be used is a configuration problem: the service must not restart on it.
    if (error instanceof UserError && !(error instanceof UsageError)) throw new UserError(error.message, EX_CONFIG);
    throw error;
  }
}

/** A specific non-loopback bind address is a name callers will use in the Host header. */
function bindAddressHosts(host: string): string[] {
  if (isLoopbackHost(host) || isWildcardHost(host)) return [];
  return [host.includes(':') ? `[${host}]` : host];
}

export interface UpTunnelSettings extends TunnelSettings {
  enabled: TunnelSwitch;
}

export function tunnelSettingsOf(loaded: LoadedConfig): UpTunnelSettings {
  const { config, sources } = loaded;
  return {
    enabled: config.tunnel.enabled,
    stateDir: config.stateDir,
    stateDirGiven: sources.get('stateDir')?.kind !== 'default',
    interfaceName: config.tunnel.wgInterface,
    backend: config.tunnel.wgBackend,
    caFile: config.tunnel.caFile ?? undefined,
    allowHttp: config.tunnel.allowHttp,
  };
}

export function adminSetting(loaded: LoadedConfig): AdminSetting {
  const source = loaded.sources.get('admin');
  const explicit = source !== undefined && source.kind !== 'default';
  return {
    address: parseAdminAddress(loaded.config.admin),
    givenBy: explicit && source ? describeSource(source) : `the default ${loaded.config.admin}`,
    explicit,
  };
}

/** The settings a SIGHUP cannot apply (they need the listeners or the tunnel rebuilt), by key. */
export function fixedSettings(config: DaemonConfig): Record<string, unknown> {
  return {
    'listen.host': config.listen.host,
    'listen.port': config.listen.port,
    admin: config.admin,
    logFormat: config.logFormat,
    stateDir: config.stateDir,
    tunnel: config.tunnel,
    security: config.security,
    'limits.maxBodyBytes': config.limits.maxBodyBytes,
    'limits.maxSessions': config.limits.maxSessions,
    'limits.streamBufferBytes': config.limits.streamBufferBytes,
    'limits.shutdownGraceMs': config.limits.shutdownGraceMs,
  };
}
