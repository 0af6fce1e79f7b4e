import * as path from 'node:path';
import { AWS_PROXY_PACKAGE, endpointRegionOf, isKnownEndpoint } from './endpoints.js';

/**
 * What a configured server entry says about the AWS proxy it runs, read the way uvx and the
 * proxy's argparse read their argv, so the warnings, the doctor and the credential monitor
 * all agree on one reading. Servers that do not run mcp-proxy-for-aws have no facts (null).
 */

/** The structural part of a server entry this needs (the config's ServerConfig and the supervisor's ServerCommand both fit). */
export interface ServerEntryLike {
  command: string;
  args: string[];
  env?: Record<string, string | null | undefined>;
}

export interface AwsServerFacts {
  /** As written: `mcp-proxy-for-aws==1.6.1`. */
  packageSpec: string;
  /** The pinned version, or null when unpinned (no version, or `@latest`). */
  version: string | null;
  endpoint: string | null;
  /** The region in the endpoint URL, null when the URL is not an AWS MCP endpoint. */
  endpointRegion: string | null;
  knownEndpoint: boolean;
  /** `--metadata AWS_REGION=<r>`: where operations run. */
  metadataRegion: string | null;
  /** `--region <r>`: the signing region (the proxy then injects AWS_REGION metadata itself). */
  signingRegion: string | null;
  /** `--profile` (its first name) or else the server's AWS_PROFILE. */
  profile: string | null;
  readOnly: boolean;
}

/** uvx options that take a value, so the value is not mistaken for the package. */
const UVX_VALUE_OPTIONS = new Set(['--from', '--with', '--with-editable', '--with-requirements', '--python', '-p', '--index', '--index-url', '--extra-index-url', '--default-index', '--cache-dir', '--directory', '--project', '--env-file', '--config-file']);

/** Proxy options and how many values each takes (argparse nargs). */
const PROXY_OPTIONS: Record<string, 'one' | 'many' | 'none'> = {
  '--metadata': 'many',
  '--profile': 'many',
  '--region': 'one',
  '--service': 'one',
  '--log-level': 'one',
  '--retries': 'one',
  '--timeout': 'one',
  '--connect-timeout': 'one',
  '--read-timeout': 'one',
  '--write-timeout': 'one',
  '--tool-timeout': 'one',
  '--read-only': 'none',
  '--skip-auth': 'none',
  '--disable-telemetry': 'none',
};

export function isPackageRunner(command: string): boolean {
  return ['uvx', 'uv', 'pipx', 'npx', 'bunx'].includes(path.basename(command));
}

/** True when the entry runs mcp-proxy-for-aws (through uvx). */
export function runsAwsProxy(server: ServerEntryLike): boolean {
  return awsServerFacts(server) !== null;
}

export function awsServerFacts(server: ServerEntryLike): AwsServerFacts | null {
  if (path.basename(server.command) !== 'uvx') return null;
  const located = locatePackage(server.args);
  if (!located) return null;
  const proxy = readProxyArgs(server.args.slice(located.argsStart));
  const envProfile = server.env?.AWS_PROFILE;
  return {
    packageSpec: located.spec,
    version: pinnedVersion(located.spec),
    endpoint: proxy.endpoint,
    endpointRegion: proxy.endpoint === null ? null : endpointRegionOf(proxy.endpoint),
    knownEndpoint: proxy.endpoint !== null && isKnownEndpoint(proxy.endpoint),
    metadataRegion: proxy.metadata.get('AWS_REGION') ?? null,
    signingRegion: proxy.region,
    profile: proxy.profiles[0] ?? (typeof envProfile === 'string' && envProfile !== '' ? envProfile : null),
    readOnly: proxy.readOnly,
  };
}

/** The package spec (`--from X` or the first positional) and where the proxy's own args begin. */
function locatePackage(args: string[]): { spec: string; argsStart: number } | null {
  let from: string | null = null;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--from') from = args[i + 1] ?? null;
    if (arg.startsWith('--from=')) from = arg.slice('--from='.length);
    if (UVX_VALUE_OPTIONS.has(arg)) {
      i += 1;
      continue;
    }
    if (arg.startsWith('-')) continue;
    const spec = from ?? arg;
    return isProxyPackage(spec) ? { spec, argsStart: i + 1 } : null;
  }
  return null;
}

function isProxyPackage(spec: string): boolean {
  const name = spec.split(/==|@|>=|<=|~=|\[/)[0].trim().toLowerCase().replace(/_/g, '-');
  return name === AWS_PROXY_PACKAGE || name === `${AWS_PROXY_PACKAGE}-cli`;
}

/** `==1.6.1` and `@1.6.1` pin; no version, `@latest` and ranges (`>=`) do not. */
function pinnedVersion(spec: string): string | null {
  const match = /(?:==|@)\s*([0-9][^\s,;]*)$/.exec(spec);
  return match ? match[1] : null;
}

interface ProxyArgs {
  endpoint: string | null;
  metadata: Map<string, string>;
  profiles: string[];
  region: string | null;
  readOnly: boolean;
}

function readProxyArgs(args: string[]): ProxyArgs {
  const read: ProxyArgs = { endpoint: null, metadata: new Map(), profiles: [], region: null, readOnly: false };
  for (let i = 0; i < args.length; i += 1) {
    const [flag, inline] = splitInline(args[i]);
    const arity = PROXY_OPTIONS[flag];
    if (arity === undefined) {
      if (!args[i].startsWith('-') && read.endpoint === null) read.endpoint = args[i];
      continue;
    }
    const values: string[] = inline !== undefined ? [inline] : [];
    if (inline === undefined && arity !== 'none') {
      while (i + 1 < args.length && !args[i + 1].startsWith('-')) {
        values.push(args[(i += 1)]);
        if (arity === 'one') break;
      }
    }
    apply(read, flag, values);
  }
  // argparse hands a trailing URL swallowed by --profile back to the endpoint (the proxy's cli.py does the same).
  if (read.endpoint === null && read.profiles.at(-1)?.includes('://')) read.endpoint = read.profiles.pop() ?? null;
  return read;
}

function apply(read: ProxyArgs, flag: string, values: string[]): void {
  if (flag === '--metadata') {
    for (const pair of values) {
      const at = pair.indexOf('=');
      if (at > 0) read.metadata.set(pair.slice(0, at), pair.slice(at + 1));
    }
  } else if (flag === '--profile') read.profiles.push(...values);
  else if (flag === '--region') read.region = values[0] ?? null;
  else if (flag === '--read-only') read.readOnly = true;
}

function splitInline(arg: string): [string, string | undefined] {
  const at = arg.indexOf('=');
  return arg.startsWith('--') && at > 0 ? [arg.slice(0, at), arg.slice(at + 1)] : [arg, undefined];
}
