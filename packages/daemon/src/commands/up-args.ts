import type { AdminSetting } from '../admin/start-admin.js';
import type { CommandSpec, FlagValue } from '../cli/flags.js';
import { booleanFlag, stringFlag } from '../cli/values.js';
import { configFlagSpecs } from '../config/environment-and-flags.js';
import { loadConfig } from '../config/load-config.js';
import type { LoadedConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import type { LogFormat } from '../logging/logger.js';
import type { LogLevel } from '../logging/levels.js';
import { EMBEDDED_NAME, EMBEDDED_PACKAGE, embeddedDefaultCommand } from '../service/embedded-default.js';
import { baseUrl } from '../service/endpoints.js';
import type { Endpoint } from '../service/endpoints.js';
import type { ReloadedConfig } from '../service/reload.js';
import { readServerEnvFile } from '../service/server-env-file.js';
import type { ServiceConfig } from '../wiring.js';
import { COMMON_FLAGS } from './common.js';
import { adminSetting, fixedSettings, serviceConfigOf, tunnelSettingsOf, type UpTunnelSettings } from './up-config.js';

/** `mcp-workstation up [flags] [-- <command> [args…]]`: flags and config, turned into what runs. */

export const UP_SPEC: CommandSpec = {
  command: 'up',
  flags: {
    ...COMMON_FLAGS,
    // The flags that mirror config keys (--config, --port, --admin, --state-dir, --wg-backend, …).
    ...configFlagSpecs(),
    // The one server of `up -- <command>` (or of the embedded default).
    name: { type: 'string' },
    sessionMode: { type: 'string' },
    envFile: { type: 'string' },
    foreground: { type: 'boolean' },
    interactive: { type: 'boolean' },
  },
  allowPositionals: true, // only to explain where they belong: see rejectStrayWords
};

/** The server's own argv follows `--` and is never parsed as our flags. */
export function splitAtDoubleDash(argv: string[]): { flagArgs: string[]; serverArgv: string[] } {
  const index = argv.indexOf('--');
  return index === -1 ? { flagArgs: argv, serverArgv: [] } : { flagArgs: argv.slice(0, index), serverArgv: argv.slice(index + 1) };
}

export function rejectStrayWords(positionals: string[]): void {
  if (positionals.length === 0) return;
  throw new UsageError(
    `unexpected argument '${positionals[0]}': put the server's command after --, ` +
      `for example: mcp-workstation up -- ${positionals.join(' ')}`,
  );
}

export interface UpInvocation {
  loaded: LoadedConfig;
  service: ServiceConfig;
  tunnel: UpTunnelSettings;
  admin: AdminSetting;
  logLevel: LogLevel;
  /** undefined: by the terminal (config logFormat auto). */
  logFormat: LogFormat | undefined;
  shutdownGraceMs: number;
  /** Values that must never appear in a log line (the API key, secret variables of --env-file). */
  secrets: string[];
  warnings: string[];
  notices: string[];
  /** What a SIGHUP compares and applies. */
  reloadable: ReloadedConfig;
  foregroundFlag: boolean;
  /** --interactive: offer `aws login` on the terminal when credentials expire (docs/aws.md). */
  interactiveFlag: boolean;
  endpoints(address: { host: string; port: number }): Endpoint[];
}

export interface UpContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Loads the configuration (throws ConfigError, exit 78) and derives everything `up` runs. `serverArgv` is what follows `--`. */
export function upInvocation(values: Record<string, FlagValue>, serverArgv: string[], context: UpContext): UpInvocation {
  const loaded = loadConfig({
    argvFlags: values,
    env: context.env,
    cwd: context.cwd,
    configPath: stringFlag(values, 'config'),
    serverCommand: serverArgv,
    fallbackServer: embeddedFallback(),
  });
  const envFileName = stringFlag(values, 'envFile');
  const envFile = envFileName === undefined ? null : readServerEnvFile(envFileName);
  const { service, apiKey } = serviceConfigOf(loaded, { values, env: context.env, envFile: envFile?.values });
  const { config } = loaded;
  return {
    loaded,
    service,
    tunnel: tunnelSettingsOf(loaded),
    admin: adminSetting(loaded),
    logLevel: config.logLevel,
    logFormat: config.logFormat === 'auto' ? undefined : config.logFormat,
    shutdownGraceMs: config.limits.shutdownGraceMs,
    secrets: [...(apiKey ? [apiKey.key] : []), ...(envFile?.secretValues ?? [])],
    warnings: [...loaded.warnings, ...(apiKey?.warnings ?? [])],
    notices: notices(loaded, serverArgv, apiKey?.source, envFile?.path),
    reloadable: { service, logLevel: config.logLevel, warnings: loaded.warnings, fixed: fixedSettings(config) },
    foregroundFlag: booleanFlag(values, 'foreground'),
    interactiveFlag: booleanFlag(values, 'interactive'),
    endpoints: (address) => upEndpoints(address, service),
  };
}

function embeddedFallback() {
  const command = embeddedDefaultCommand();
  return { name: EMBEDDED_NAME, command: command.command, args: command.args, description: `embedded ${EMBEDDED_PACKAGE}` };
}

function notices(loaded: LoadedConfig, serverArgv: string[], apiKeySource: string | undefined, envFile: string | undefined): string[] {
  const lines: string[] = [];
  if (loaded.file) lines.push(`configuration: ${loaded.file.path}`);
  const servers = loaded.config.servers;
  const embedded = serverArgv.length === 0 && loaded.sources.get(`servers.${servers[0]?.name}.command`)?.kind === 'default';
  if (embedded) {
    lines.push(`no server command given: serving the embedded default, ${EMBEDDED_PACKAGE}, as '${servers[0].name}'.`);
    lines.push('To serve your own stdio MCP server: mcp-workstation up -- <command> [args…]');
  } else if (serverArgv.length > 0) {
    lines.push(`serving '${servers[0].name}' (${servers[0].sessionMode} sessions): ${serverArgv.join(' ')}`);
  } else {
    for (const server of servers) lines.push(`serving '${server.name}' (${server.sessionMode} sessions): ${server.command}`);
  }
  if (apiKeySource) lines.push(`callers must send an API key (Authorization: Bearer …), read from ${apiKeySource}`);
  if (envFile) lines.push(`the servers' environment includes the variables of ${envFile}`);
  return lines;
}

function upEndpoints(address: { host: string; port: number }, service: ServiceConfig): Endpoint[] {
  const http = baseUrl(address.host, address.port);
  const ws = baseUrl(address.host, address.port, 'ws');
  return [
    { label: 'MCP endpoint', url: `${http}/mcp` },
    { label: 'legacy SSE endpoint', url: `${http}/sse` },
    { label: 'WebSocket endpoint', url: `${ws}/ws` },
    ...service.servers.map((server) => ({ label: `server '${server.name}'`, url: `${http}/servers/${server.name}/mcp` })),
    { label: 'health', url: `${http}/readyz` },
  ];
}
