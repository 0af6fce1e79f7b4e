import { UsageError } from '../errors.js';

/**
 * --logLevel values. supergateway accepts `debug | info | none`; those three mean the same
 * here (`none` silences the logger). `warn` and `error` are ours, for quieter services.
 */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'none'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function parseLogLevel(raw: string | undefined, flag = '--logLevel'): LogLevel {
  if (raw === undefined) return 'info';
  if ((LOG_LEVELS as readonly string[]).includes(raw)) return raw as LogLevel;
  throw new UsageError(`${flag} must be one of ${LOG_LEVELS.join(', ')}, not '${raw}'.`);
}
