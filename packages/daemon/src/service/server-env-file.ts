import { readFileSync, statSync } from 'node:fs';
import { EX_CONFIG } from '../config/config-error.js';
import { isSecretKey } from '../config/secrets.js';
import { UserError } from '../errors.js';
import { EnvFileSyntaxError, parseEnvFile } from '../install/env-file.js';

/**
 * `up --env-file <path>`: the servers' environment, as `service install` writes it (launchd has
 * no EnvironmentFile, so the daemon reads the file itself). The file may hold secrets, so it
 * must be private to the user running the daemon: mode 0600 (no group or other bits) and owned
 * by that user. Values go into the servers' environment only, and are never logged; the names
 * of secret-looking ones are returned so the log redactor can hide their values anywhere.
 */

export interface ServerEnvFile {
  path: string;
  values: Map<string, string>;
  /** Values of secret-looking variables (GITHUB_TOKEN, …), for the log redactor. */
  secretValues: string[];
}

export interface EnvFileCheckOptions {
  /** Default: the process's effective uid. */
  effectiveUid?: number;
}

export function readServerEnvFile(file: string, options: EnvFileCheckOptions = {}): ServerEnvFile {
  checkPrivate(file, options.effectiveUid ?? process.geteuid?.() ?? -1);
  let values: Map<string, string>;
  try {
    values = parseEnvFile(readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof EnvFileSyntaxError) {
      // The message names the line only: the line's text may be a secret.
      throw envFileError(`${file} ${err.message}`, `write one NAME=value per line (quote values with spaces), then start again`);
    }
    throw envFileError(`${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'check the path given to --env-file');
  }
  const secretValues = [...values].filter(([name, value]) => isSecretKey(name) && value !== '').map(([, value]) => value);
  return { path: file, values, secretValues };
}

function checkPrivate(file: string, effectiveUid: number): void {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code})`;
    throw envFileError(`${file} ${why}`, 'create it (mode 0600) or correct the path given to --env-file; `mcp-workstation service install` writes it');
  }
  if (!stat.isFile()) throw envFileError(`${file} is not a file`, 'give --env-file the path of the environment file');
  if ((stat.mode & 0o077) !== 0) {
    throw envFileError(
      `${file} can be read or written by other users (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}), and it may hold secrets`,
      `chmod 600 ${file}`,
    );
  }
  if (effectiveUid >= 0 && stat.uid !== effectiveUid) {
    throw envFileError(`${file} belongs to uid ${stat.uid}, not to the user running the daemon (uid ${effectiveUid})`, `chown ${effectiveUid} ${file}`);
  }
}

function envFileError(problem: string, fix: string): UserError {
  return new UserError(`--env-file: ${problem}. Fix: ${fix}.`, EX_CONFIG);
}
