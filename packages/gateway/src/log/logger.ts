/**
 * The gateway's log: one line per record on stderr, `<time> <level> <message> {meta}`.
 * Structural, so a test can collect records and a host program can pass winston instead.
 * Nothing secret is ever handed to it: callers log agent ids, names and public keys only.
 */
export interface GatewayLogger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** A logger writing text lines to a stream (stderr by default), dropping records below `level`. */
export function createStreamLogger(level: LogLevel = 'info', stream: NodeJS.WritableStream = process.stderr): GatewayLogger {
  const threshold = LOG_LEVELS.indexOf(level);
  const write = (at: LogLevel) => (message: string, meta?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(at) > threshold) return;
    const extra = meta && Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
    stream.write(`${new Date().toISOString()} ${at.padEnd(5)} ${message}${extra}\n`);
  };
  return { error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug') };
}

export const silentLogger: GatewayLogger = { error() {}, warn() {}, info() {}, debug() {} };
