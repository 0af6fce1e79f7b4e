import { configProblem } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import type { ConfigFile } from './config-file.js';
import { ONE_OFF_SERVER_NAME } from './defaults.js';
import { fileValues, isPlainMap } from './file-keys.js';
import { SERVER_KEY_HINTS } from './key-hints.js';
import type { PathContext } from './paths.js';
import { NameRegistry, checkServerName } from './server-names.js';
import { SERVER_SCHEMA } from './server-schema.js';
import { SourcedConfig } from './sourced-config.js';
import { DEFAULT_SOURCE, defaultSource, flagSource, whereToFix } from './sources.js';
import type { ConfigSource, FallbackServer, FlagInput, ServerConfig } from './types.js';

/**
 * The `servers` key. It comes from one place only, in this order:
 *   1. `up -- <command> [args…]`: exactly one server, named by --name (default "default"),
 *      with --session-mode; the file's servers, if any, are not started (a warning says so).
 *   2. the config file: a map of name -> server, or a list of servers with a `name` each.
 *   3. the fallback (the embedded default), named by --name.
 * Each server is checked with its own convict instance of SERVER_SCHEMA, for its defaults.
 */

export interface ServerInputs {
  file: ConfigFile | null;
  serverCommand?: string[];
  fallback?: FallbackServer;
  flags: Record<string, FlagInput>;
  context: PathContext;
}

export interface ResolvedServers {
  servers: ServerConfig[];
  /** Where the list itself came from. */
  source: ConfigSource;
  /** Each server's keys: "servers.aws.command", "servers.aws.env.AWS_REGION". */
  sources: [string, ConfigSource][];
  warnings: string[];
}

type ServerFields = Omit<ServerConfig, 'name'>;

interface FileEntry {
  name: string;
  data: Record<string, unknown>;
  /** "servers.aws" (map) or "servers[0]" (list). */
  fileKey: string;
  listed: boolean;
}

const ONE_OFF_FLAGS = ['name', 'sessionMode'] as const;

export function resolveServers(inputs: ServerInputs, problems: ConfigProblem[]): ResolvedServers {
  const entries = inputs.file ? fileEntries(inputs.file, problems) : [];
  const command = inputs.serverCommand?.length ? inputs.serverCommand : undefined;
  if (command) {
    const warnings = entries.length > 0 ? [`the config file's servers (${entries.map((entry) => entry.name).join(', ')}) are not started: \`up -- <command>\` serves only that command`] : [];
    const source = flagSource('-- <command>');
    return { ...single(command[0], command.slice(1), source, ONE_OFF_SERVER_NAME, inputs, problems), warnings };
  }
  if (entries.length > 0) {
    refuseOneOffFlags(inputs, 'the config file names its servers: rename a server by its key in the file', problems);
    return fromFile(entries, inputs.file as ConfigFile, inputs.context, problems);
  }
  if (inputs.fallback) {
    const { fallback } = inputs;
    return { ...single(fallback.command, fallback.args, defaultSource(fallback.description), fallback.name ?? ONE_OFF_SERVER_NAME, inputs, problems), warnings: [] };
  }
  refuseOneOffFlags(inputs, 'there is no server to apply them to', problems);
  const source = inputs.file?.data.servers !== undefined ? (inputs.file as ConfigFile).sourceOf('servers') : DEFAULT_SOURCE;
  return { servers: [], source, sources: [], warnings: [] };
}

/** The one server of `up -- <command>` or of the fallback. */
function single(command: string, args: string[], source: ConfigSource, defaultName: string, inputs: ServerInputs, problems: ConfigProblem[]): Omit<ResolvedServers, 'warnings'> {
  const nameFlag = stringFlag(inputs.flags, 'name');
  const name = nameFlag ?? defaultName;
  checkServerName(name, `servers.${name}`, nameFlag === undefined ? source : flagSource('--name'), problems);
  const server = new SourcedConfig<ServerFields>(SERVER_SCHEMA, { keyPrefix: `servers.${name}.`, paths: inputs.context });
  server.set('command', command, source);
  server.set('args', args, source);
  const sessionMode = stringFlag(inputs.flags, 'sessionMode');
  if (sessionMode !== undefined) server.set('sessionMode', sessionMode, flagSource('--session-mode'));
  const fields = checked(server, problems);
  return { servers: fields ? [{ name, ...fields }] : [], source, sources: server.entries() };
}

function fromFile(entries: FileEntry[], file: ConfigFile, context: PathContext, problems: ConfigProblem[]): ResolvedServers {
  const names = new NameRegistry();
  const resolved: ResolvedServers = { servers: [], source: file.sourceOf('servers'), sources: [], warnings: [] };
  for (const entry of entries) {
    const nameSource = file.sourceOf(entry.listed ? `${entry.fileKey}.name` : entry.fileKey);
    const validName = checkServerName(entry.name, `servers.${entry.name}`, nameSource, problems);
    if (!names.claim(entry.name, entry.fileKey, nameSource, file.info.path, problems) || !validName) continue;
    const server = fileServer(entry, file, context, problems);
    if (!server) continue;
    resolved.servers.push(server.config);
    resolved.sources.push(...server.sources);
  }
  return resolved;
}

function fileServer(entry: FileEntry, file: ConfigFile, context: PathContext, problems: ConfigProblem[]): { config: ServerConfig; sources: [string, ConfigSource][] } | null {
  const prefix = `servers.${entry.name}.`;
  const where = `${entry.fileKey} in ${file.info.path}${lineText(file, entry.fileKey)}`;
  const server = new SourcedConfig<ServerFields>(SERVER_SCHEMA, { keyPrefix: prefix, paths: context, fixMissing: (key) => `add ${key.slice(prefix.length)} under ${where}` });
  const walk = { schema: SERVER_SCHEMA, file, keyPrefix: prefix, fileKeyPrefix: entry.fileKey, hints: SERVER_KEY_HINTS, skip: new Set(entry.listed ? ['name'] : []) };
  for (const value of fileValues(entry.data, walk, problems)) server.set(value.schemaKey, value.value, file.sourceOf(value.fileKey));
  const fields = checked(server, problems);
  if (!fields) return null;
  const envSources = Object.keys(fields.env).map((name): [string, ConfigSource] => [`${prefix}env.${name}`, file.sourceOf(`${entry.fileKey}.env.${name}`)]);
  return { config: { name: entry.name, ...fields }, sources: [...server.entries(), ...envSources] };
}

/** The server's values, or null when check() found problems (then they are in `problems`). */
function checked(server: SourcedConfig<ServerFields>, problems: ConfigProblem[]): ServerFields | null {
  const before = problems.length;
  server.check(problems);
  if (problems.length > before) return null;
  return server.properties();
}

function fileEntries(file: ConfigFile, problems: ConfigProblem[]): FileEntry[] {
  const raw = file.data.servers;
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) return listedEntries(raw, file, problems);
  if (isPlainMap(raw)) return mappedEntries(raw, file, problems);
  problems.push(configProblem('servers', file.sourceOf('servers'), 'must be a map of server name to server (or a list of servers with a name each)', whereToFix('servers', file.sourceOf('servers'))));
  return [];
}

function mappedEntries(raw: Record<string, unknown>, file: ConfigFile, problems: ConfigProblem[]): FileEntry[] {
  const entries: FileEntry[] = [];
  for (const [name, data] of Object.entries(raw)) {
    const fileKey = `servers.${name}`;
    if (isPlainMap(data)) entries.push({ name, data, fileKey, listed: false });
    else problems.push(notAServer(`servers.${name}`, fileKey, file));
  }
  return entries;
}

function listedEntries(raw: unknown[], file: ConfigFile, problems: ConfigProblem[]): FileEntry[] {
  const entries: FileEntry[] = [];
  raw.forEach((data, index) => {
    const fileKey = `servers[${index}]`;
    if (!isPlainMap(data)) {
      problems.push(notAServer(fileKey, fileKey, file));
    } else if (typeof data.name !== 'string') {
      problems.push(configProblem(`${fileKey}.name`, file.sourceOf(fileKey), "is required in a list of servers: the server's name", `add name: <name> to ${fileKey} in ${file.info.path}${lineText(file, fileKey)}`));
    } else {
      entries.push({ name: data.name, data, fileKey, listed: true });
    }
  });
  return entries;
}

function notAServer(key: string, fileKey: string, file: ConfigFile): ConfigProblem {
  return configProblem(key, file.sourceOf(fileKey), 'must be a map of settings (command, args, env, …)', `write it as a map with at least command: <program>, in ${file.info.path}${lineText(file, fileKey)}`);
}

function refuseOneOffFlags(inputs: ServerInputs, why: string, problems: ConfigProblem[]): void {
  for (const flag of ONE_OFF_FLAGS) {
    if (stringFlag(inputs.flags, flag) === undefined) continue;
    const spelled = flag === 'name' ? '--name' : '--session-mode';
    problems.push(configProblem('servers', flagSource(spelled), `${spelled} applies only to the one server of \`up -- <command>\` (or the embedded default), and ${why}`, `remove ${spelled}, or give the command after --`));
  }
}

function stringFlag(flags: Record<string, FlagInput>, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

function lineText(file: ConfigFile, fileKey: string): string {
  const line = file.lineOf(fileKey);
  return line === undefined ? '' : ` (line ${line})`;
}
