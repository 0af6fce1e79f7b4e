import { UserError } from '../errors.js';
import type { ConfigSource } from './types.js';

/** sysexits.h EX_CONFIG: the exit code of a daemon refused for its configuration. */
export const EX_CONFIG = 78;

/** One thing wrong with the configuration. `message` is the whole sentence a person reads. */
export interface ConfigProblem {
  key: string;
  source?: ConfigSource;
  /** What is wrong and what is allowed. */
  reason: string;
  fix: string;
  message: string;
}

export function configProblem(key: string, source: ConfigSource | undefined, reason: string, fix: string, shownValue?: string): ConfigProblem {
  const where = source ? ` (${source.kind === 'default' ? 'default' : `${source.kind} ${source.detail}`})` : '';
  const value = shownValue === undefined ? '' : ` = ${shownValue}`;
  return { key, source, reason, fix, message: `${key}${value}${where}: ${sentence(reason)} Fix: ${sentence(fix)}` };
}

function sentence(text: string): string {
  return /[.?!]$/.test(text) ? text : `${text}.`;
}

/**
 * A configuration the daemon refuses. It is a UserError, so the CLI's top level prints the
 * message alone and exits with 78 without knowing about configs.
 */
export class ConfigError extends UserError {
  constructor(readonly problems: ConfigProblem[]) {
    super(summarize(problems), EX_CONFIG);
    this.name = 'ConfigError';
  }
}

function summarize(problems: ConfigProblem[]): string {
  if (problems.length === 1) return `invalid configuration: ${problems[0].message}`;
  return [`invalid configuration (${problems.length} problems):`, ...problems.map((problem) => `  - ${problem.message}`)].join('\n');
}
