import { resolveStateDir } from '@mcp-workstation/tunnel';
import type { CommandSpec, FlagValue } from '../cli/flags.js';
import { booleanFlag, listFlag, stringFlag } from '../cli/values.js';
import { UsageError } from '../errors.js';
import { parseLogLevel, type LogLevel } from '../logging/levels.js';

/** `mcp-workstation register --gateway <url> …`, turned into what registration needs. */

export const REGISTER_SPEC: CommandSpec = {
  command: 'register',
  flags: {
    help: { type: 'boolean', short: 'h' },
    gateway: { type: 'string' },
    tokenFile: { type: 'string' },
    token: { type: 'string' },
    stateDir: { type: 'string' },
    name: { type: 'string' },
    server: { type: 'string', multiple: true },
    caFile: { type: 'string' },
    allowHttp: { type: 'boolean' },
    logLevel: { type: 'string' },
  },
};

export interface RegisterInvocation {
  gatewayUrl: string;
  /** Given in argv (works, with a warning); otherwise read from the token sources. */
  tokenInArgv?: string;
  tokenFile?: string;
  stateDir: string;
  stateDirGiven: boolean;
  name?: string;
  servers: Array<{ name: string }>;
  caFile?: string;
  allowHttp: boolean;
  logLevel: LogLevel;
}

/** protocol.md §1: the agent's name is 1-63 of [A-Za-z0-9._-]; server names 1-63 of [a-z0-9-]. */
const AGENT_NAME = /^[A-Za-z0-9._-]{1,63}$/;
const SERVER_NAME = /^[a-z0-9-]{1,63}$/;

export function registerInvocation(values: Record<string, FlagValue>, env: NodeJS.ProcessEnv): RegisterInvocation {
  const gatewayUrl = stringFlag(values, 'gateway');
  if (gatewayUrl === undefined || gatewayUrl.trim() === '') {
    throw new UsageError("--gateway <url> is required: the gateway's URL, for example --gateway https://gw.example.com:8443.");
  }
  const tokenInArgv = stringFlag(values, 'token');
  const tokenFile = stringFlag(values, 'tokenFile');
  if (tokenInArgv !== undefined && tokenFile !== undefined) throw new UsageError('give --token-file or --token, not both (prefer --token-file).');
  const stateDir = stringFlag(values, 'stateDir');
  if (stateDir !== undefined && stateDir.trim() === '') throw new UsageError('--state-dir needs a directory.');
  return {
    gatewayUrl,
    tokenInArgv,
    tokenFile,
    stateDir: resolveStateDir({ stateDir, env }),
    stateDirGiven: stateDir !== undefined,
    name: agentName(stringFlag(values, 'name')),
    servers: serverNames(listFlag(values, 'server')),
    caFile: stringFlag(values, 'caFile'),
    allowHttp: booleanFlag(values, 'allowHttp'),
    logLevel: parseLogLevel(stringFlag(values, 'logLevel'), '--log-level'),
  };
}

function agentName(name: string | undefined): string | undefined {
  if (name === undefined || AGENT_NAME.test(name)) return name;
  throw new UsageError(`--name '${name}' is not a usable agent name: use 1 to 63 letters, digits, '.', '_' or '-'.`);
}

function serverNames(names: string[]): Array<{ name: string }> {
  const seen = new Set<string>();
  for (const name of names) {
    if (!SERVER_NAME.test(name)) {
      throw new UsageError(`--server '${name}' is not a usable server name: use 1 to 63 lowercase letters, digits or '-' (the name 'up --name' serves it under).`);
    }
    if (seen.has(name)) throw new UsageError(`--server '${name}' is given twice: each server once.`);
    seen.add(name);
  }
  return names.map((name) => ({ name }));
}
