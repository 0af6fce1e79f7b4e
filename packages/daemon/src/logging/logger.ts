import winston from 'winston';
import type { Logger } from '@mcp-workstation/supervisor';
import type { LogLevel } from './levels.js';
import { PemBlockMasker } from './pem-blocks.js';
import { redactRecord, type KnownSecrets } from './redact.js';

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
  /** More places records go (they get them redacted), such as the recent errors of /status. */
  extraTransports?: winston.transport[];
  /** Secret values to mask wherever they appear (more may be added after the logger is made). */
  knownSecrets?: KnownSecrets;
}

export type DaemonLogger = Logger & { child(meta: Record<string, unknown>): DaemonLogger };

export function defaultLogFormat(stream: NodeJS.WriteStream = process.stderr): LogFormat {
  return stream.isTTY ? 'pretty' : 'json';
}


export function createLogger(options: LoggerOptions): DaemonLogger {
  const format = options.format ?? defaultLogFormat();
  const pemBlocks = new PemBlockMasker();
  const redact = winston.format((info) => {
    pemBlocks.apply(info);
    return redactRecord(info, options.knownSecrets);
  });
  const logger = winston.createLogger({
    level: options.level === 'none' ? 'error' : options.level,
    silent: options.level === 'none',
    levels: winston.config.npm.levels,
    format: format === 'json' ? jsonFormat(redact) : prettyFormat(redact),
    transports: [
      options.stream
        ? new winston.transports.Stream({ stream: options.stream })
        : new winston.transports.Console({
            // All levels to stderr (winston's Console writes to stdout unless told).
            stderrLevels: Object.keys(winston.config.npm.levels),
          }),
      ...(options.extraTransports ?? []),
    ],
  });
  skipDisabledLevels(logger);
  return logger as unknown as DaemonLogger;
}

/**
 * winston runs every record through its formats (redaction, timestamp, JSON or colours) and
 * only then lets each transport drop it by level, so a debug line on the request path costs
 * its full formatting at the default info level (about 5 % of the bridge's CPU under load,
 * docs/performance.md). The level methods of this logger's class (its children inherit
 * them) return at once for a level no transport takes. A level change (setLogLevel) is seen
 * by the next call: isLevelEnabled reads the level each time.
 */
function skipDisabledLevels(logger: winston.Logger): void {
  const methods = Object.getPrototypeOf(logger) as Record<string, (...args: unknown[]) => winston.Logger>;
  for (const level of Object.keys(winston.config.npm.levels)) {
    const write = methods[level];
    methods[level] = function (this: winston.Logger | undefined, ...args: unknown[]): winston.Logger {
      const self = this ?? logger;
      if (self.silent || !self.isLevelEnabled(level)) return self;
      return write.apply(self, args);
    };
  }
}

/** A reload's new log level, for the logger and every child made from it. */
export function setLogLevel(logger: DaemonLogger, level: LogLevel): void {
  const target = logger as unknown as winston.Logger;
  target.silent = level === 'none';
  target.level = level === 'none' ? 'error' : level;
}

type RedactFormat = () => winston.Logform.Format;

function jsonFormat(redact: RedactFormat): winston.Logform.Format {
  return winston.format.combine(redact(), winston.format.timestamp(), winston.format.json());
}

function prettyFormat(redact: RedactFormat): winston.Logform.Format {
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
