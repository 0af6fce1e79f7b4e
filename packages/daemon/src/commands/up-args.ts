import type { SessionMode } from '@mcp-workstation/bridge';
import { BACKEND_CHOICES, interfaceNameProblem, resolveStateDir } from '@mcp-workstation/tunnel';
import type { CommandSpec, FlagValue } from '../cli/flags.js';
import { booleanFlag, choiceFlag, positiveIntegerFlag, stringFlag } from '../cli/values.js';
import { UsageError } from '../errors.js';
import type { LogLevel } from '../logging/levels.js';
import { EMBEDDED_NAME, EMBEDDED_PACKAGE, embeddedDefaultCommand } from '../service/embedded-default.js';
import { baseUrl } from '../service/endpoints.js';
import type { Endpoint } from '../service/endpoints.js';
import { checkServerName } from '../service/server-name.js';
import type { TunnelSettings } from '../service/tunnel-link.js';
import type { ServiceConfig } from '../wiring.js';
import { COMMON_FLAGS, commonOptions } from './common.js';

/** `mcp-workstation up [flags] [-- <command> [args…]]`, turned into a ServiceConfig. */

const SESSION_MODES: readonly SessionMode[] = ['shared', 'stateless', 'per-session'];

export const UP_SPEC: CommandSpec = {
  command: 'up',
  flags: {
    ...COMMON_FLAGS,
    name: { type: 'string' },
    sessionMode: { type: 'string' },
    sessionTimeout: { type: 'string' },
    // The tunnel (used when the state directory holds a registration).
    stateDir: { type: 'string' },
    wgInterface: { type: 'string' },
    wgBackend: { type: 'string' },
    caFile: { type: 'string' },
    allowHttp: { type: 'boolean' },
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
  service: ServiceConfig;
  tunnel: TunnelSettings;
  logLevel: LogLevel;
  warnings: string[];
  notices: string[];
  endpoints(address: { host: string; port: number }): Endpoint[];
}

/** `serverArgv` is everything after `--` (empty: the embedded default). */
export function upInvocation(values: Record<string, FlagValue>, serverArgv: string[], env: NodeJS.ProcessEnv): UpInvocation {
  const common = commonOptions(values, env, 'kebab');
  const name = checkServerName(stringFlag(values, 'name') ?? EMBEDDED_NAME);
  const mode = choiceFlag(stringFlag(values, 'sessionMode'), '--session-mode', SESSION_MODES) ?? 'shared';
  const sessionTimeout = positiveIntegerFlag(stringFlag(values, 'sessionTimeout'), '--session-timeout', 'milliseconds');
  const embedded = serverArgv.length === 0;
  const command = embedded ? embeddedDefaultCommand() : { command: serverArgv[0], args: serverArgv.slice(1) };
  const service: ServiceConfig = {
    servers: [{ name, command, mode, sessionIdleMs: mode === 'per-session' ? sessionTimeout : undefined }],
    host: common.host,
    port: common.port,
    defaultServer: name,
    allowedHosts: common.allowedHosts,
    bridge: {
      security: common.security,
      limits: { ...common.limits, sessionIdleMs: sessionTimeout },
    },
  };
  const notices = embedded
    ? [
        `no server command given: serving the embedded default, ${EMBEDDED_PACKAGE}, as '${name}'.`,
        'To serve your own stdio MCP server: mcp-workstation up -- <command> [args…]',
      ]
    : [`serving '${name}' (${mode} sessions): ${serverArgv.join(' ')}`];
  return {
    service,
    tunnel: tunnelSettings(values, env),
    logLevel: common.logLevel,
    warnings: common.warnings,
    notices: [...common.notices, ...notices],
    endpoints: (address) => upEndpoints(address, name),
  };
}

function tunnelSettings(values: Record<string, FlagValue>, env: NodeJS.ProcessEnv): TunnelSettings {
  const stateDirFlag = stringFlag(values, 'stateDir');
  if (stateDirFlag !== undefined && stateDirFlag.trim() === '') throw new UsageError('--state-dir needs a directory.');
  const interfaceName = stringFlag(values, 'wgInterface');
  const problem = interfaceName === undefined ? null : interfaceNameProblem(interfaceName);
  if (problem !== null) throw new UsageError(`--wg-interface: ${problem}.`);
  return {
    stateDir: resolveStateDir({ stateDir: stateDirFlag, env }),
    stateDirGiven: stateDirFlag !== undefined,
    interfaceName,
    backend: choiceFlag(stringFlag(values, 'wgBackend'), '--wg-backend', BACKEND_CHOICES) ?? 'auto',
    caFile: stringFlag(values, 'caFile'),
    allowHttp: booleanFlag(values, 'allowHttp'),
  };
}

function upEndpoints(address: { host: string; port: number }, name: string): Endpoint[] {
  const http = baseUrl(address.host, address.port);
  const ws = baseUrl(address.host, address.port, 'ws');
  return [
    { label: 'MCP endpoint', url: `${http}/mcp` },
    { label: 'legacy SSE endpoint', url: `${http}/sse` },
    { label: 'WebSocket endpoint', url: `${ws}/ws` },
    { label: `server '${name}'`, url: `${http}/servers/${name}/mcp` },
    { label: 'health', url: `${http}/readyz` },
  ];
}
