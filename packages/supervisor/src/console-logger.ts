import type { Logger } from './types.js';

/**
 * Used when the owner passes no logger: errors must still reach a person, so they go to
 * stderr rather than nowhere. The daemon passes its winston logger instead.
 */
export const consoleLogger: Logger = {
  error: (message, meta) => console.error(format('error', message, meta)),
  warn: (message, meta) => console.error(format('warn', message, meta)),
  info: (message, meta) => console.error(format('info', message, meta)),
  debug: () => undefined,
};

function format(level: string, message: string, meta: Record<string, unknown> | undefined): string {
  const server = typeof meta?.server === 'string' ? ` [${meta.server}]` : '';
  return `${level}${server} ${message}`;
}
