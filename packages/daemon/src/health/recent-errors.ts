import { Writable } from 'node:stream';
import winston from 'winston';

/**
 * The last errors and warnings the daemon logged, for `/status`: what an operator asks first
 * ("why is it not ready?") without reading the journal. Fed by a winston transport, so it sees
 * records after the logger's redaction, exactly as they were written.
 */

export interface RecentError {
  at: string;
  level: 'error' | 'warn';
  message: string;
  server?: string;
  component?: string;
}

const DEFAULT_CAPACITY = 20;
const LEVEL = Symbol.for('level');

export class RecentErrors {
  private readonly entries: RecentError[] = [];

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  add(entry: RecentError): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  /** Newest last. */
  list(): RecentError[] {
    return [...this.entries];
  }

  /** A winston transport that keeps warn and error records here (an object-mode stream gets the records themselves). */
  transport(): winston.transport {
    const stream = new Writable({
      objectMode: true,
      write: (info: Record<string | symbol, unknown>, _encoding, done) => {
        this.add(entryOf(info));
        done();
      },
    });
    return new winston.transports.Stream({ stream, level: 'warn' });
  }
}

function entryOf(info: Record<string | symbol, unknown>): RecentError {
  // info.level may be coloured by the pretty format; the symbol holds the plain level.
  return {
    at: new Date().toISOString(),
    level: info[LEVEL] === 'error' ? 'error' : 'warn',
    message: String(info.message),
    ...(typeof info.server === 'string' ? { server: info.server } : {}),
    ...(typeof info.component === 'string' ? { component: info.component } : {}),
  };
}
