import { resolveRestartPolicy, type ResolvedRestartPolicy } from './backoff.js';
import { consoleLogger } from './console-logger.js';
import type { Logger, SupervisedServerOptions } from './types.js';

export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
export const DEFAULT_STOP_GRACE_MS = 5_000;
export const DEFAULT_STDERR_TAIL_LINES = 20;
export const DEFAULT_MAX_STDIN_BACKLOG_BYTES = 16 * 1024 * 1024;

/** The options with every default filled in, checked once so bad config fails at construction. */
export interface Settings {
  maxMessageBytes: number;
  maxStdinBacklogBytes: number;
  stopGraceMs: number;
  stderrTailLines: number;
  restart: ResolvedRestartPolicy;
  logger: Logger;
}

export function resolveSettings(options: SupervisedServerOptions): Settings {
  const where = `Server "${options.name}"`;
  if (typeof options.name !== 'string' || options.name.trim() === '') {
    throw new Error('A supervised server needs a non-empty name (it tags its logs and errors).');
  }
  if (!options.command || typeof options.command.command !== 'string' || !Array.isArray(options.command.args)) {
    throw new Error(`${where}: command must be { command: string, args: string[] }.`);
  }
  const settings: Settings = {
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxStdinBacklogBytes: options.maxStdinBacklogBytes ?? DEFAULT_MAX_STDIN_BACKLOG_BYTES,
    stopGraceMs: options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS,
    stderrTailLines: options.stderrTailLines ?? DEFAULT_STDERR_TAIL_LINES,
    restart: resolveRestartPolicy(options.restart),
    logger: options.logger ?? consoleLogger,
  };
  requireCount(where, 'maxMessageBytes', settings.maxMessageBytes, 1);
  requireCount(where, 'maxStdinBacklogBytes', settings.maxStdinBacklogBytes, 1);
  requireCount(where, 'stopGraceMs', settings.stopGraceMs, 0);
  requireCount(where, 'stderrTailLines', settings.stderrTailLines, 0);
  const { restart } = settings;
  requireCount(where, 'restart.initialDelayMs', restart.initialDelayMs, 0);
  requireCount(where, 'restart.maxDelayMs', restart.maxDelayMs, 0);
  requireCount(where, 'restart.failedAfterExits', restart.failedAfterExits, 1);
  requireCount(where, 'restart.failedWindowMs', restart.failedWindowMs, 0);
  // A zero retry delay while failed would be the spin this state exists to prevent.
  requireCount(where, 'restart.failedRetryDelayMs', restart.failedRetryDelayMs, 1);
  return settings;
}

/** setTimeout fires at once (and warns) beyond this, which would turn a slow retry into a spin. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function requireCount(where: string, name: string, value: number, minimum: number): void {
  const maximum = name.endsWith('Ms') ? MAX_TIMER_MS : Number.MAX_SAFE_INTEGER;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum || value > maximum) {
    throw new Error(`${where}: ${name} must be a number from ${minimum} to ${maximum} (got ${String(value)}).`);
  }
}
