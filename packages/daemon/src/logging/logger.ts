import winston from 'winston';
import type { Logger } from '@mcp-workstation/supervisor';
import type { LogLevel } from './levels.js';
import { redactRecord } from './redact.js';

/**
 * The daemon's logger. Every record goes to stderr, so stdout stays free for what a command
 * prints on purpose (--help, --version). On a terminal records are short coloured lines; in
 * a pipe, a file or a service manager they are JSON lines that log collectors parse.
 */

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level: LogLevel;
  /** Default: 'pretty' when stderr is a terminal, else 'json'. */
  format?: LogFormat;
  /** Where records go instead of stderr (tests, embedding). */
  stream?: NodeJS.WritableStream;
}

export type DaemonLogger = Logger & { child(meta: Record<string, unknown>): DaemonLogger };

export function defaultLogFormat(stream: NodeJS.WriteStream = process.stderr): LogFormat {
  return stream.isTTY ? 'pretty' : 'json';
}

const redact = winston.format((info) => redactRecord(info));

export function createLogger(options: LoggerOptions): DaemonLogger {
  const format = options.format ?? defaultLogFormat();
  return winston.createLogger({
    level: options.level === 'none' ? 'error' : options.level,
    silent: options.level === 'none',
    levels: winston.config.npm.levels,
    format: format === 'json' ? jsonFormat() : prettyFormat(),
    transports: [
      options.stream
        ? new winston.transports.Stream({ stream: options.stream })
        : new winston.transports.Console({
            // All levels to stderr (winston's Console writes to stdout unless told).
            stderrLevels: Object.keys(winston.config.npm.levels),
          }),
    ],
  }) as unknown as DaemonLogger;
}

function jsonFormat(): winston.Logform.Format {
  return winston.format.combine(redact(), winston.format.timestamp(), winston.format.json());
}

function prettyFormat(): winston.Logform.Format {
  return winston.format.combine(
    redact(),
    winston.format.timestamp({ format: 'HH:mm:ss' }),
    winston.format.colorize({ level: true }),
    winston.format.printf(({ level, message, timestamp, server, ...meta }) => {
      const who = typeof server === 'string' ? ` [${server}]` : '';
      return `${timestamp} ${level}${who} ${message}${formatMeta(meta, String(message))}`;
    }),
  );
}

/** `key=value` pairs after the message (a value the message already shows is left out). */
function formatMeta(meta: Record<string, unknown>, message: string): string {
  const parts = Object.entries(meta)
    .filter(([, value]) => value !== undefined && !(typeof value === 'string' && message.includes(value)))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}
