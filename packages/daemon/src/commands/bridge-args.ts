import type { SingleServerPaths } from '@mcp-workstation/bridge';
import { splitCommandLine } from '@mcp-workstation/supervisor';
import type { ServerCommand } from '@mcp-workstation/supervisor';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { CommandSpec, FlagValue } from '../cli/flags.js';
import { booleanFlag, choiceFlag, listFlag, positiveIntegerFlag, stringFlag, urlPathFlag } from '../cli/values.js';
import { UsageError } from '../errors.js';
import type { LogLevel } from '../logging/levels.js';
import { baseUrl as formatBaseUrl } from '../service/endpoints.js';
import type { Endpoint } from '../service/endpoints.js';
import { checkServerName, serverNameFromArgv } from '../service/server-name.js';
import type { ServiceConfig } from '../wiring.js';
import { COMMON_FLAGS, checkOrigins, commonOptions } from './common.js';

/**
 * `mcp-workstation bridge`: supergateway's stdio modes, flag for flag. This file turns the
 * flags into a ServiceConfig (pure, so it is unit-tested without starting anything).
 */

export const OUTPUT_TRANSPORTS = ['streamableHttp', 'sse', 'ws'] as const;
export type OutputTransport = (typeof OUTPUT_TRANSPORTS)[number];
const DEFAULT_OUTPUT_TRANSPORT: OutputTransport = 'sse'; // supergateway's default with --stdio
const STATEFUL_SESSION_MODES = ['shared', 'per-session'] as const;
/** supergateway's --sessionTimeout default for stateful sessions, kept for per-session children. */
const DEFAULT_SESSION_TIMEOUT_MS = 30 * 60 * 1000;

const OTHER_MODES =
  'it makes supergateway a client of a remote server (remote -> stdio). mcp-workstation serves local stdio servers over HTTP only: use --stdio "<command>".';

export const BRIDGE_SPEC: CommandSpec = {
  command: 'bridge',
  flags: {
    ...COMMON_FLAGS,
    stdio: { type: 'string' },
    outputTransport: { type: 'string' },
    stateful: { type: 'boolean' },
    sessionMode: { type: 'string' },
    sessionTimeout: { type: 'string' },
    healthEndpoint: { type: 'string', greedy: true },
    cors: { type: 'string', greedy: true, bareValue: '*' },
    baseUrl: { type: 'string' },
    ssePath: { type: 'string' },
    messagePath: { type: 'string' },
    streamableHttpPath: { type: 'string' },
    protocolVersion: { type: 'string' },
    name: { type: 'string' },
    shell: { type: 'boolean' },
    maxMessageBytes: { type: 'string' },
  },
  refused: {
    sse: OTHER_MODES,
    streamableHttp: OTHER_MODES,
    header:
      'in supergateway it adds headers to a remote server\'s requests (or, in stdio->SSE mode, to every response). ' +
      'To give the server settings, put them in its command line or environment; to require a key from callers, use --apiKeyFile <file>.',
    oauth2Bearer:
      'in supergateway it sends a token to a remote server. To require a bearer key from the clients that call this bridge, ' +
      'use --apiKeyFile <file> or the MCP_WORKSTATION_API_KEY environment variable.',
  },
};

export interface BridgeInvocation {
  service: ServiceConfig;
  logLevel: LogLevel;
  outputTransport: OutputTransport;
  warnings: string[];
  notices: string[];
  endpoints(address: { host: string; port: number }): Endpoint[];
}

export function bridgeInvocation(values: Record<string, FlagValue>, env: NodeJS.ProcessEnv): BridgeInvocation {
  const common = commonOptions(values, env, 'camel');
  const outputTransport = parseOutputTransport(stringFlag(values, 'outputTransport'));
  const { command, argvForName, commandWarnings } = parseStdio(values);
  const name = checkServerName(stringFlag(values, 'name') ?? serverNameFromArgv(argvForName));
  const sessions = parseSessions(values, outputTransport);
  const paths = parsePaths(values, outputTransport);
  const healthEndpoints = listFlag(values, 'healthEndpoint').map((path) => urlPathFlag(path, '--healthEndpoint', '/healthz'));
  const corsOrigins = parseCors(listFlag(values, 'cors'));
  const service: ServiceConfig = {
    servers: [{ name, command, mode: sessions.mode, protocolVersion: parseProtocolVersion(values), sessionIdleMs: sessions.childIdleMs, maxMessageBytes: positiveIntegerFlag(stringFlag(values, 'maxMessageBytes'), '--maxMessageBytes', 'bytes') }],
    host: common.host,
    port: common.port,
    allowedHosts: common.allowedHosts,
    bridge: {
      transports: { streamableHttp: outputTransport === 'streamableHttp', sse: outputTransport === 'sse', ws: outputTransport === 'ws' },
      paths,
      baseUrl: parseBaseUrl(stringFlag(values, 'baseUrl')),
      healthEndpoints,
      security: { ...common.security, ...(corsOrigins ? { corsOrigins } : {}) },
      limits: { ...common.limits, sessionIdleMs: sessions.sessionIdleMs },
    },
    optionNaming: 'bridge-flags',
  };
  return {
    service,
    logLevel: common.logLevel,
    outputTransport,
    warnings: [...common.warnings, ...commandWarnings, ...sessions.warnings, ...corsWarnings(corsOrigins)],
    notices: [...common.notices, `serving '${name}' over ${outputTransport} (${sessions.mode} sessions)`],
    endpoints: (address) => bridgeEndpoints(address, outputTransport, paths, healthEndpoints),
  };
}

function parsePaths(values: Record<string, FlagValue>, outputTransport: OutputTransport): SingleServerPaths {
  const message = urlPathFlag(stringFlag(values, 'messagePath'), '--messagePath', '/message');
  return {
    streamableHttp: urlPathFlag(stringFlag(values, 'streamableHttpPath'), '--streamableHttpPath', '/mcp'),
    sse: urlPathFlag(stringFlag(values, 'ssePath'), '--ssePath', '/sse'),
    message,
    // supergateway serves its WebSocket at --messagePath (ws://localhost:8000/message). Only
    // then: with SSE output that path is the POST endpoint and must not be shadowed.
    ws: outputTransport === 'ws' ? message : '/ws',
  };
}

function parseOutputTransport(raw: string | undefined): OutputTransport {
  if (raw === 'stdio') {
    throw new UsageError(
      "--outputTransport stdio belongs to supergateway's --sse/--streamableHttp client modes, which mcp-workstation does not cover. " +
        `With --stdio, choose ${OUTPUT_TRANSPORTS.join(', ')}.`,
    );
  }
  return choiceFlag(raw, '--outputTransport', OUTPUT_TRANSPORTS) ?? DEFAULT_OUTPUT_TRANSPORT;
}

function parseStdio(values: Record<string, FlagValue>): { command: ServerCommand; argvForName: string[]; commandWarnings: string[] } {
  const line = stringFlag(values, 'stdio');
  if (line === undefined || line.trim() === '') {
    throw new UsageError(
      'give the stdio MCP server to run: mcp-workstation bridge --stdio "<command line>" ' +
        '(for example --stdio "npx -y @modelcontextprotocol/server-everything"). Run \'mcp-workstation bridge --help\' for more.',
    );
  }
  if (booleanFlag(values, 'shell')) {
    return { command: { command: line, args: [], shell: true }, argvForName: splitForName(line), commandWarnings: [] };
  }
  const argv = splitStdioLine(line);
  return { command: { command: argv[0], args: argv.slice(1) }, argvForName: argv, commandWarnings: shellSyntaxWarnings(argv) };
}

function splitStdioLine(line: string): string[] {
  let argv: string[];
  try {
    argv = splitCommandLine(line);
  } catch (err) {
    // A malformed line (an unclosed quote, a shell operator): the splitter's message says where.
    const message = err instanceof Error ? err.message : String(err);
    const hint = /shell/.test(message) ? ' Here that is --shell, which runs the line with /bin/sh -c as supergateway does.' : '';
    throw new UsageError(`--stdio: ${message}${hint}`);
  }
  if (argv.length === 0) throw new UsageError('--stdio is empty: give the command that starts the MCP server.');
  return argv;
}

function splitForName(line: string): string[] {
  try {
    return splitCommandLine(line);
  } catch {
    return [];
  }
}

/**
 * supergateway ran --stdio through a shell, which expanded $VARS and ~; we run an argv, so
 * they reach the program as written. (Shell operators are already an error of the splitter.)
 */
function shellSyntaxWarnings(argv: string[]): string[] {
  const suspicious = argv.filter((word) => /(^|=)\$[A-Za-z_{]/.test(word) || /(^|=)~\//.test(word));
  if (suspicious.length === 0) return [];
  return [
    `--stdio is run without a shell, so ${suspicious.map((word) => `'${word}'`).join(', ')} reach the program unexpanded. ` +
      'If you meant the shell to expand them, add --shell (runs the line with /bin/sh -c).',
  ];
}

interface SessionChoice {
  mode: 'shared' | 'stateless' | 'per-session';
  sessionIdleMs?: number;
  childIdleMs?: number;
  warnings: string[];
}

function parseSessions(values: Record<string, FlagValue>, transport: OutputTransport): SessionChoice {
  const stateful = booleanFlag(values, 'stateful');
  const sessionMode = choiceFlag(stringFlag(values, 'sessionMode'), '--sessionMode', STATEFUL_SESSION_MODES);
  const timeout = positiveIntegerFlag(stringFlag(values, 'sessionTimeout'), '--sessionTimeout', 'milliseconds');
  const warnings: string[] = [];
  if (transport === 'streamableHttp' && !stateful) {
    if (sessionMode !== undefined) {
      throw new UsageError(
        '--sessionMode applies to stateful sessions: add --stateful. Without it Streamable HTTP is stateless (one shared child, no session ids).',
      );
    }
    if (timeout !== undefined) warnings.push('--sessionTimeout has no effect without --stateful (stateless requests have no sessions to expire).');
    return { mode: 'stateless', warnings };
  }
  if (stateful && transport !== 'streamableHttp') {
    warnings.push(`--stateful only changes --outputTransport streamableHttp; ${transport} connections are sessions already.`);
  }
  const mode = sessionMode ?? 'shared';
  return {
    mode,
    sessionIdleMs: timeout,
    childIdleMs: mode === 'per-session' ? (timeout ?? DEFAULT_SESSION_TIMEOUT_MS) : undefined,
    warnings,
  };
}

function parseCors(values: string[]): string[] | undefined {
  if (values.length === 0) return undefined;
  if (values.includes('*')) return ['*'];
  const pattern = values.find((origin) => /^\/.*\/$/.test(origin));
  if (pattern !== undefined) {
    throw new UsageError(
      `--cors ${pattern}: regular-expression origins (a supergateway form) are not supported, because an origin ` +
        'allowed here also passes the Origin check. List each origin: --cors https://app.example https://other.example',
    );
  }
  checkOrigins(values, '--cors');
  return values;
}

function corsWarnings(corsOrigins: string[] | undefined): string[] {
  if (!corsOrigins?.includes('*')) return [];
  return [
    '--cors without origins lets any web page use this server from a browser (it also turns the Origin check off). ' +
      'List the origins instead: --cors https://app.example',
  ];
}

function parseBaseUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    new URL(raw);
  } catch {
    throw new UsageError(`--baseUrl '${raw}' is not a URL: write it like http://localhost:8000.`);
  }
  return raw.replace(/\/+$/, '');
}

function parseProtocolVersion(values: Record<string, FlagValue>): string | undefined {
  const raw = stringFlag(values, 'protocolVersion');
  if (raw === undefined || SUPPORTED_PROTOCOL_VERSIONS.includes(raw)) return raw;
  throw new UsageError(`--protocolVersion ${raw} is not one the bridge can speak to a server: choose one of ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}.`);
}

function bridgeEndpoints(
  address: { host: string; port: number },
  transport: OutputTransport,
  paths: SingleServerPaths,
  healthEndpoints: string[],
): Endpoint[] {
  const http = formatBaseUrl(address.host, address.port);
  const endpoints: Endpoint[] =
    transport === 'streamableHttp'
      ? [{ label: 'MCP endpoint', url: `${http}${paths.streamableHttp}` }]
      : transport === 'sse'
        ? [
            { label: 'MCP endpoint', url: `${http}${paths.sse}` },
            { label: 'POST messages', url: `${http}${paths.message}` },
          ]
        : [{ label: 'MCP endpoint', url: `${formatBaseUrl(address.host, address.port, 'ws')}${paths.ws}` }];
  for (const path of healthEndpoints) endpoints.push({ label: 'health', url: `${http}${path}` });
  return endpoints;
}
