import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { UsageError } from '../errors.js';

/**
 * Adds one server to a config file, keeping everything else in it (for `init aws`). A YAML
 * file is edited as a document, so its comments and key order stay; a JSON file as data.
 * The `servers` of a file may be a map of name -> server or a list with a name each
 * (config/servers.ts); the new server is added in the file's own form.
 */

export interface ServerEntryToWrite {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

export interface AddServerOptions {
  file: string;
  name: string;
  entry: ServerEntryToWrite;
  /** Replace a server of that name; without it an existing one is refused. */
  replace?: boolean;
}

export interface AddServerResult {
  created: boolean;
  replaced: boolean;
  /** Every server of the file after the change, as plain data (for the warnings). */
  servers: Array<{ name: string } & Record<string, unknown>>;
}

export function addServerToConfigFile(options: AddServerOptions): AddServerResult {
  const created = !existsSync(options.file);
  const text = created ? '' : readFileSync(options.file, 'utf8');
  const json = path.extname(options.file).toLowerCase() === '.json';
  const edited = json ? addToJson(text, options) : addToYaml(text, options);
  writeKeepingMode(options.file, edited.text, created);
  return { created, replaced: edited.replaced, servers: edited.servers };
}

function plainEntry(entry: ServerEntryToWrite): Record<string, unknown> {
  // No env at all rather than an empty map: the guide's entry has none without a profile.
  return { command: entry.command, args: entry.args, ...(entry.env && Object.keys(entry.env).length > 0 ? { env: entry.env } : {}) };
}

function refuseExisting(options: AddServerOptions): never {
  throw new UsageError(`${options.file} already has a server named '${options.name}'. Fix: add --force to replace it, or edit servers.${options.name} in the file.`);
}

function addToYaml(text: string, options: AddServerOptions): { text: string; replaced: boolean; servers: AddServerResult['servers'] } {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new UsageError(`${options.file} is not valid YAML (${document.errors[0].message.split('\n')[0]}). Fix the file (mcp-workstation config check names the line), then run this again.`);
  }
  // An empty file (or one of comments only) has no contents: setIn makes the map.
  if (document.contents !== null && !isMap(document.contents)) throw new UsageError(`${options.file} does not hold a map of settings at its top. Fix the file, then run this again.`);
  const servers = document.get('servers');
  let replaced = false;
  if (servers === undefined || servers === null) {
    document.setIn(['servers', options.name], document.createNode(plainEntry(options.entry)));
  } else if (isMap(servers)) {
    replaced = servers.has(options.name);
    if (replaced && !options.replace) refuseExisting(options);
    servers.set(options.name, document.createNode(plainEntry(options.entry)));
  } else if (isSeq(servers)) {
    const index = servers.items.findIndex((item) => isMap(item) && item.get('name') === options.name);
    replaced = index !== -1;
    if (replaced && !options.replace) refuseExisting(options);
    const node = document.createNode({ name: options.name, ...plainEntry(options.entry) });
    if (replaced) servers.set(index, node);
    else servers.add(node);
  } else {
    throw new UsageError(`${options.file}: servers must be a map of server name to server. Fix the file, then run this again.`);
  }
  return { text: document.toString(), replaced, servers: serversOf(document.toJS() as Record<string, unknown>) };
}

function addToJson(text: string, options: AddServerOptions): { text: string; replaced: boolean; servers: AddServerResult['servers'] } {
  let data: unknown;
  try {
    data = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${options.file} is not valid JSON (${error instanceof Error ? error.message : String(error)}). Fix the file, then run this again.`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`${options.file} does not hold an object of settings at its top. Fix the file, then run this again.`);
  const settings = data as Record<string, unknown>;
  const servers = settings.servers ?? {};
  let replaced = false;
  if (Array.isArray(servers)) {
    const index = servers.findIndex((item) => item !== null && typeof item === 'object' && (item as { name?: unknown }).name === options.name);
    replaced = index !== -1;
    if (replaced && !options.replace) refuseExisting(options);
    const entry = { name: options.name, ...plainEntry(options.entry) };
    if (replaced) servers[index] = entry;
    else servers.push(entry);
  } else if (typeof servers === 'object' && servers !== null) {
    replaced = Object.hasOwn(servers, options.name);
    if (replaced && !options.replace) refuseExisting(options);
    (servers as Record<string, unknown>)[options.name] = plainEntry(options.entry);
  } else {
    throw new UsageError(`${options.file}: servers must be an object of server name to server. Fix the file, then run this again.`);
  }
  settings.servers = servers;
  return { text: `${JSON.stringify(settings, null, 2)}\n`, replaced, servers: serversOf(settings) };
}

function serversOf(settings: Record<string, unknown>): AddServerResult['servers'] {
  const servers = settings.servers;
  if (Array.isArray(servers)) return servers.filter((item): item is { name: string } => item !== null && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string');
  if (servers === null || typeof servers !== 'object') return [];
  return Object.entries(servers as Record<string, unknown>).map(([name, entry]) => ({ ...(entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>) : {}), name }));
}

/** Written beside the file and renamed over it, so a crash never leaves half a config; an existing file keeps its mode. */
function writeKeepingMode(file: string, text: string, created: boolean): void {
  if (created) mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const mode = created ? 0o600 : statSync(file).mode & 0o777;
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, file);
}
