import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { findOnPath } from '@mcp-workstation/supervisor';
import { ConfigError, EX_CONFIG, configProblem } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import { loadConfig } from './load-config.js';
import { DEFAULT_SOURCE, whereToFix } from './sources.js';
import type { LoadConfigOptions, LoadedConfig, ServerConfig } from './types.js';

/**
 * `config check`: everything loadConfig checks, plus what only the file system can tell:
 * the files and folders the configuration names exist and are private where they must be,
 * and each server's program can be found. Never throws for a bad configuration.
 */

export interface CheckResult {
  ok: boolean;
  /** 0, or 78 (EX_CONFIG) when there are problems. */
  exitCode: 0 | typeof EX_CONFIG;
  problems: ConfigProblem[];
  warnings: string[];
  loaded: LoadedConfig | null;
}

export function checkConfig(options: LoadConfigOptions = {}): CheckResult {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(options);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { ok: false, exitCode: EX_CONFIG, problems: err.problems, warnings: [], loaded: null };
  }
  const env = options.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const warnings = [...loaded.warnings];
  checkApiKeyFile(loaded, problems, warnings);
  checkCaFile(loaded, problems);
  checkStateDir(loaded, warnings);
  for (const server of loaded.config.servers) checkServer(server, loaded, env, problems, warnings);
  const ok = problems.length === 0;
  return { ok, exitCode: ok ? 0 : EX_CONFIG, problems, warnings, loaded };
}

function checkApiKeyFile(loaded: LoadedConfig, problems: ConfigProblem[], warnings: string[]): void {
  const file = loaded.config.security.apiKeyFile;
  if (file === null) return;
  const key = 'security.apiKeyFile';
  const source = loaded.sources.get(key) ?? DEFAULT_SOURCE;
  const unreadable = fileProblem(file);
  if (unreadable !== null) {
    problems.push(configProblem(key, source, `names ${file}, which ${unreadable}`, `create it holding the key (chmod 600), or ${whereToFix(key, source)}`));
  } else if (readFileSync(file, 'utf8').trim() === '') {
    problems.push(configProblem(key, source, `names ${file}, which is empty`, 'write the API key into it (one line)'));
  } else if ((statSync(file).mode & 0o077) !== 0) {
    warnings.push(`the API key file ${file} can be read by other users; restrict it with: chmod 600 ${file}`);
  }
}

function checkCaFile(loaded: LoadedConfig, problems: ConfigProblem[]): void {
  const file = loaded.config.tunnel.caFile;
  if (file === null) return;
  const key = 'tunnel.caFile';
  const source = loaded.sources.get(key) ?? DEFAULT_SOURCE;
  const unreadable = fileProblem(file);
  if (unreadable !== null) problems.push(configProblem(key, source, `names ${file}, which ${unreadable}`, `point it at the PEM file of your gateway's CA: ${whereToFix(key, source)}`));
}

/** The state directory may not exist yet (`up` creates it), but an existing one must be private. */
function checkStateDir(loaded: LoadedConfig, warnings: string[]): void {
  const dir = loaded.config.stateDir;
  let mode: number;
  try {
    mode = statSync(dir).mode;
  } catch {
    return;
  }
  if ((mode & 0o077) !== 0) warnings.push(`the state directory ${dir} is open to other users (mode ${(mode & 0o777).toString(8)}); it holds keys: chmod 700 ${dir}`);
}

function checkServer(server: ServerConfig, loaded: LoadedConfig, env: NodeJS.ProcessEnv, problems: ConfigProblem[], warnings: string[]): void {
  const prefix = `servers.${server.name}.`;
  if (server.cwd !== null && !isDirectory(server.cwd)) {
    const source = loaded.sources.get(`${prefix}cwd`) ?? DEFAULT_SOURCE;
    problems.push(configProblem(`${prefix}cwd`, source, `names ${server.cwd}, which is not an existing directory`, `create it, or ${whereToFix(`${prefix}cwd`, source)}`));
  }
  if (server.shell) return;
  const searchPath = server.env.PATH ?? env.PATH;
  const command = server.command.includes('/') ? path.resolve(server.cwd ?? process.cwd(), server.command) : server.command;
  if (findOnPath(command, searchPath ?? undefined) === null) {
    warnings.push(
      `${prefix}command '${server.command}' is not found${server.command.includes('/') ? '' : ` on PATH (${searchPath ?? 'unset'})`}. ` +
        'A service starts with a shorter PATH than your shell: use the absolute path (`command -v ' + server.command + '`), or set env.PATH for the server.',
    );
  }
}

function fileProblem(file: string): string | null {
  try {
    if (statSync(file).isDirectory()) return 'is a directory';
    accessSync(file, constants.R_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code})`;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
