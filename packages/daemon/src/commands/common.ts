import type { LimitOptions, SecurityOptions } from '@mcp-workstation/bridge';
import { resolveApiKey } from '../cli/api-key.js';
import type { FlagSpec, FlagValue } from '../cli/flags.js';
import { listFlag, portFlag, positiveIntegerFlag, stringFlag } from '../cli/values.js';
import { UsageError } from '../errors.js';
import { parseLogLevel } from '../logging/levels.js';
import type { LogLevel } from '../logging/levels.js';
import { isLoopbackHost, isWildcardHost } from '../service/endpoints.js';

/** Flags every serving command has, and what they become. */

export const DEFAULT_PORT = 8000; // supergateway's default
export const DEFAULT_HOST = '127.0.0.1'; // not supergateway's: it binds every interface

export const COMMON_FLAGS: Record<string, FlagSpec> = {
  help: { type: 'boolean', short: 'h' },
  port: { type: 'string' },
  host: { type: 'string' },
  logLevel: { type: 'string' },
  apiKey: { type: 'string' },
  apiKeyFile: { type: 'string' },
  // Plural, as the bridge's 403 messages name them; repeatable and comma-separated.
  allowedHosts: { type: 'string', multiple: true },
  allowedOrigins: { type: 'string', multiple: true },
  maxSessions: { type: 'string' },
  maxBodyBytes: { type: 'string' },
};

export interface CommonOptions {
  host: string;
  port: number;
  logLevel: LogLevel;
  security: SecurityOptions;
  limits: LimitOptions;
  /** Host header values the listener accepts beyond the loopback names. */
  allowedHosts: string[];
  /** Things to tell the person at start-up (never secrets). */
  warnings: string[];
  notices: string[];
}

export function commonOptions(values: Record<string, FlagValue>, env: NodeJS.ProcessEnv, flagStyle: 'camel' | 'kebab'): CommonOptions {
  const spell = (camel: string) => (flagStyle === 'kebab' ? `--${camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : `--${camel}`);
  const host = stringFlag(values, 'host') ?? DEFAULT_HOST;
  if (host.trim() === '') throw new UsageError(`${spell('host')} needs an address, for example 127.0.0.1.`);
  const apiKey = resolveApiKey({
    flagValue: stringFlag(values, 'apiKey'),
    file: stringFlag(values, 'apiKeyFile'),
    env,
    flagName: spell('apiKey'),
    fileFlagName: spell('apiKeyFile'),
  });
  const allowedHosts = [...commaList(listFlag(values, 'allowedHosts')), ...bindAddressHosts(host)];
  checkHosts(allowedHosts, spell('allowedHosts'));
  const allowedOrigins = commaList(listFlag(values, 'allowedOrigins'));
  checkOrigins(allowedOrigins, spell('allowedOrigins'));
  const warnings = [...(apiKey?.warnings ?? []), ...exposureWarnings(host, apiKey !== undefined, spell)];
  return {
    host,
    port: portFlag(stringFlag(values, 'port'), DEFAULT_PORT, spell('port')),
    logLevel: parseLogLevel(stringFlag(values, 'logLevel'), spell('logLevel')),
    security: {
      ...(apiKey ? { apiKey: apiKey.key } : {}),
      ...(allowedOrigins.length > 0 ? { allowedOrigins } : {}),
    },
    limits: {
      maxSessions: positiveIntegerFlag(stringFlag(values, 'maxSessions'), spell('maxSessions'), 'sessions'),
      maxBodyBytes: positiveIntegerFlag(stringFlag(values, 'maxBodyBytes'), spell('maxBodyBytes'), 'bytes'),
    },
    allowedHosts,
    warnings,
    notices: apiKey ? [`callers must send an API key (Authorization: Bearer …), read from ${apiKey.source}`] : [],
  };
}

/** A specific non-loopback bind address is a name callers will use in the Host header. */
function bindAddressHosts(host: string): string[] {
  if (isLoopbackHost(host) || isWildcardHost(host)) return [];
  return [host.includes(':') ? `[${host}]` : host];
}

function exposureWarnings(host: string, hasApiKey: boolean, spell: (camel: string) => string): string[] {
  if (isLoopbackHost(host)) return [];
  const warnings = [`listening on ${host}, not only this machine's loopback: other machines on the network can reach it.`];
  if (!hasApiKey) warnings.push(`no API key is set: anyone who can reach ${host} may use the server. Set one with ${spell('apiKeyFile')} <file>.`);
  if (isWildcardHost(host)) {
    warnings.push(`requests must still name an allowed Host: add the names callers use with ${spell('allowedHosts')} <name[:port]>.`);
  }
  return warnings;
}

function commaList(values: string[]): string[] {
  return values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
}

/** The forms a Host header takes: name, name:port, [v6], [v6]:port. */
const HOST_ENTRY = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/;

function checkHosts(hosts: string[], flag: string): void {
  const bad = hosts.find((host) => !HOST_ENTRY.test(host));
  if (bad !== undefined) {
    throw new UsageError(`${flag} '${bad}' is not a host name or host:port: write it like mcp.internal, 10.0.0.2:8000 or [fd00::2]:8000.`);
  }
}

export function checkOrigins(origins: string[], flag: string): void {
  for (const origin of origins) {
    if (origin === '*') continue;
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new UsageError(`${flag} '${origin}' is not an origin: write it like https://app.example.com (scheme, host and optional port).`);
    }
    if (parsed.origin !== origin) throw new UsageError(`${flag} '${origin}' is not an origin: did you mean ${parsed.origin}?`);
  }
}
