import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, configProblem } from './config-error.js';
import { scanFile } from './file-positions.js';
import { expandHome } from './paths.js';
import { envSource, fileSource, flagSource } from './sources.js';
import type { ConfigFileInfo, ConfigSource } from './types.js';

/**
 * Finding and reading the config file: `--config`, else MCP_WORKSTATION_CONFIG, else the XDG
 * default if it exists. JSON or YAML by extension. Any problem with the file itself is a
 * ConfigError naming the file, where its name came from, and the fix.
 */

export const CONFIG_ENV_VAR = 'MCP_WORKSTATION_CONFIG';
const APP_DIR = 'mcp-workstation';
const DEFAULT_FILE_NAME = 'config.yaml';

export interface ConfigFile {
  info: ConfigFileInfo;
  data: Record<string, unknown>;
  /** The line of a key as the file spells it (`servers[0].command`). */
  lineOf(fileKey: string): number | undefined;
  /** A ConfigSource for a key of this file. */
  sourceOf(fileKey: string): ConfigSource;
}

export interface LocateOptions {
  configPath?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  home: string;
}

/** $XDG_CONFIG_HOME/mcp-workstation/config.yaml; a relative XDG_CONFIG_HOME is ignored, as the spec says. */
export function defaultConfigPath(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(home, '.config');
  return path.join(base, APP_DIR, DEFAULT_FILE_NAME);
}

/** Reads the file the options point at; null when none was named and the XDG default does not exist. */
export function loadConfigFile(options: LocateOptions, warnings: string[]): ConfigFile | null {
  const xdgPath = defaultConfigPath(options.env, options.home);
  if (options.configPath !== undefined) {
    return readNamedFile(options.configPath, 'flag', flagSource('--config'), options, `leave --config out to use ${xdgPath}`);
  }
  const fromEnv = options.env[CONFIG_ENV_VAR];
  if (fromEnv !== undefined && fromEnv !== '') {
    return readNamedFile(fromEnv, 'env', envSource(CONFIG_ENV_VAR), options, `unset ${CONFIG_ENV_VAR} to use ${xdgPath}`);
  }
  if (existsSync(xdgPath)) return readConfigFile(xdgPath, 'xdg');
  warnings.push(...unreadSiblings(xdgPath));
  return null;
}

function readNamedFile(named: string, origin: 'flag' | 'env', source: ConfigSource, options: LocateOptions, alternative: string): ConfigFile {
  const file = path.resolve(options.cwd, expandHome(named, options.home));
  const key = origin === 'flag' ? '--config' : CONFIG_ENV_VAR;
  const problem = unreadableReason(file);
  if (problem !== null) {
    const relative = path.isAbsolute(named) ? '' : ` (a relative path starts from ${options.cwd})`;
    throw new ConfigError([configProblem(key, source, `the config file ${file} ${problem}`, `check the path${relative}, or ${alternative}`)]);
  }
  return readConfigFile(file, origin);
}

function unreadableReason(file: string): string | null {
  try {
    if (statSync(file).isDirectory()) return 'is a directory, not a file';
    readFileSync(file);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'does not exist';
    if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
    return `cannot be read (${code ?? String(err)})`;
  }
}

/** config.yml or config.json where config.yaml is expected: say that it is not read. */
function unreadSiblings(xdgPath: string): string[] {
  const dir = path.dirname(xdgPath);
  return ['config.yml', 'config.json']
    .map((name) => path.join(dir, name))
    .filter((candidate) => existsSync(candidate))
    .map((candidate) => `${candidate} is not read: the default config file is ${xdgPath}. Rename it, or pass --config ${candidate}.`);
}

export function readConfigFile(file: string, origin: ConfigFileInfo['origin']): ConfigFile {
  const format = formatOf(file);
  const text = readFileSync(file, 'utf8');
  const scan = scanFile(text);
  const whole = fileSource(file, '(file)', undefined);
  const data = format === 'json' ? parseJson(text, whole) : parseYaml(scan, whole);
  if (scan.duplicate) {
    const { key, firstLine, line } = scan.duplicate;
    throw new ConfigError([
      configProblem(key, fileSource(file, key, line), `is written twice (lines ${firstLine} and ${line}), and only one would be kept; each key, and each server name, may appear once`, `rename or remove one of them in ${file}`),
    ]);
  }
  const info: ConfigFileInfo = { path: file, format, origin, mode: statSync(file).mode & 0o777 };
  return {
    info,
    data: topLevelMap(data, whole),
    lineOf: (fileKey) => scan.lines.get(fileKey),
    sourceOf: (fileKey) => fileSource(file, fileKey, scan.lines.get(fileKey)),
  };
}

function formatOf(file: string): 'json' | 'yaml' {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  throw new ConfigError([
    configProblem('config file', fileSource(file, '(file)', undefined), `has the extension '${extension || '(none)'}', so its format is unknown: JSON and YAML are read`, 'name it .yaml, .yml or .json'),
  ]);
}

function parseJson(text: string, whole: ConfigSource): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message);
    const where = position ? ` at ${lineAndColumn(text, Number(position[1]))}` : '';
    const reason = `is not valid JSON${where}: ${message.replace(/ in JSON at position \d+.*$/, '')}`;
    throw new ConfigError([configProblem('config file', whole, reason, 'correct it (JSON allows no comments and no trailing commas), or write the file as YAML with a .yaml name')]);
  }
}

function parseYaml(scan: ReturnType<typeof scanFile>, whole: ConfigSource): unknown {
  if (scan.syntaxError) {
    const { message, line, column } = scan.syntaxError;
    throw new ConfigError([configProblem('config file', whole, `is not valid YAML at line ${line}, column ${column}: ${message}`, 'correct it there (indent with spaces, and quote values that contain ": " or start with a special character)')]);
  }
  return scan.data;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

function topLevelMap(data: unknown, whole: ConfigSource): Record<string, unknown> {
  if (data === null || data === undefined) return {};
  if (typeof data === 'object' && !Array.isArray(data)) return data as Record<string, unknown>;
  throw new ConfigError([
    configProblem('config file', whole, `holds ${Array.isArray(data) ? 'a list' : `the value ${JSON.stringify(data)}`}, not a map of settings`, 'write keys at the top level, like listen:, servers:'),
  ]);
}
