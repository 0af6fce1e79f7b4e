import { readFileSync, statSync } from 'node:fs';
import { UsageError, UserError } from '../errors.js';

/**
 * The optional bearer key callers must present. Three sources, in order: --apiKey (works,
 * but anyone who can run `ps` sees it, so it warns), --apiKeyFile, and the environment.
 */

export const API_KEY_ENV = 'MCP_WORKSTATION_API_KEY';

export interface ApiKeySources {
  flagValue?: string;
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Flag names as the command spells them, for messages. */
  flagName?: string;
  fileFlagName?: string;
}

export interface ResolvedApiKey {
  key: string;
  /** Where it came from, for the start-up log: never the key itself. */
  source: string;
  warnings: string[];
}

export function resolveApiKey(sources: ApiKeySources): ResolvedApiKey | undefined {
  const flagName = sources.flagName ?? '--apiKey';
  const fileFlagName = sources.fileFlagName ?? '--apiKeyFile';
  if (sources.flagValue !== undefined && sources.file !== undefined) {
    throw new UsageError(`give ${flagName} or ${fileFlagName}, not both.`);
  }
  if (sources.flagValue !== undefined) return fromFlag(sources.flagValue, flagName, fileFlagName);
  if (sources.file !== undefined) return fromFile(sources.file, fileFlagName);
  const fromEnv = sources.env?.[API_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { key: fromEnv, source: `environment variable ${API_KEY_ENV}`, warnings: [] };
  return undefined;
}

function fromFlag(value: string, flagName: string, fileFlagName: string): ResolvedApiKey {
  if (value.trim() === '') throw new UsageError(`${flagName} is empty; give the key, or leave the flag out to accept callers without one.`);
  return {
    key: value,
    source: flagName,
    warnings: [
      `${flagName} puts the key on the command line, where any local user can read it with \`ps\`. ` +
        `Prefer ${fileFlagName} <file> (mode 0600) or the ${API_KEY_ENV} environment variable.`,
    ],
  };
}

function fromFile(file: string, fileFlagName: string): ResolvedApiKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : String(code ?? err);
    throw new UserError(`cannot read the API key file ${file} given to ${fileFlagName}: ${why}.`);
  }
  const key = text.trim();
  if (key === '') throw new UserError(`the API key file ${file} is empty; write the key into it (one line).`);
  const warnings: string[] = [];
  if ((statSync(file).mode & 0o077) !== 0) {
    warnings.push(`the API key file ${file} can be read by other users; restrict it with: chmod 600 ${file}`);
  }
  return { key, source: `file ${file}`, warnings };
}
