import type { FlagSpec } from '../cli/flags.js';
import { CONFIG_ENV_VAR } from './config-file.js';
import { closestKey } from './did-you-mean.js';
import { formatNamed } from './formats.js';
import { DAEMON_SCHEMA } from './schema.js';
import { camelCase, schemaLeaves } from './schema-walk.js';
import type { SourcedConfig } from './sourced-config.js';
import { envSource, flagSource } from './sources.js';
import type { FlagInput } from './types.js';

/** The two layers above the file: MCP_WORKSTATION_* variables, then the flags that mirror keys. */

const ROOT_LEAVES = schemaLeaves(DAEMON_SCHEMA);

/** Variables of ours that are not config keys (secrets, and the config file's own name). */
export const OTHER_ENV_VARS = new Set([CONFIG_ENV_VAR, 'MCP_WORKSTATION_API_KEY', 'MCP_WORKSTATION_REGISTRATION_TOKEN']);

/** An empty variable counts as unset: compose files and unit files often write `VAR=`. */
export function applyEnvironment(target: SourcedConfig<object>, env: NodeJS.ProcessEnv): void {
  for (const leaf of ROOT_LEAVES) {
    if (leaf.env === undefined) continue;
    const raw = env[leaf.env];
    if (raw !== undefined && raw !== '') target.set(leaf.key, raw, envSource(leaf.env));
  }
}

export function applyFlags(target: SourcedConfig<object>, flags: Record<string, FlagInput>): void {
  for (const leaf of ROOT_LEAVES) {
    if (leaf.arg === undefined) continue;
    const value = flags[camelCase(leaf.arg)];
    if (value === undefined) continue;
    // A repeated flag gives a list; the format splits commas, so `--x a,b --x c` is [a, b, c].
    target.set(leaf.key, Array.isArray(value) ? value.join(',') : value, flagSource(`--${leaf.arg}`));
  }
}

/** MCP_WORKSTATION_PROT=1 does nothing; say so, with the likely name. */
export function unknownEnvironmentWarnings(env: NodeJS.ProcessEnv): string[] {
  const known = ROOT_LEAVES.flatMap((leaf) => (leaf.env === undefined ? [] : [leaf.env]));
  return Object.keys(env)
    .filter((name) => name.startsWith('MCP_WORKSTATION_') && !known.includes(name) && !OTHER_ENV_VARS.has(name))
    .map((name) => {
      const suggestion = closestKey(name, [...known, ...OTHER_ENV_VARS]);
      return `the environment variable ${name} is not a setting and is ignored${suggestion ? `; did you mean ${suggestion}?` : ''} (docs/configuration.md lists them)`;
    });
}

/**
 * The flags that mirror config keys, for a command's flag spec: spread them into it, and
 * pass the parsed values to loadConfig as argvFlags. Includes --config.
 */
export function configFlagSpecs(): Record<string, FlagSpec> {
  const specs: Record<string, FlagSpec> = { config: { type: 'string' } };
  for (const leaf of ROOT_LEAVES) {
    if (leaf.arg === undefined) continue;
    const kind = formatNamed(leaf.format).flagType;
    specs[camelCase(leaf.arg)] = kind === 'boolean' ? { type: 'boolean' } : kind === 'list' ? { type: 'string', multiple: true } : { type: 'string' };
  }
  return specs;
}
