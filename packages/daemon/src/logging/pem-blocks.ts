import { REDACTED } from './redact.js';

/**
 * A PEM private key printed by a child reaches the log one stderr line per record: the BEGIN
 * line, the base64 body lines, the END line. No single record says it is a key, so this
 * remembers, per source (server, process, stream), that a key block is open and masks every
 * record until its END line. The BEGIN line itself is masked by the record redactor.
 */

const BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const END = /-----END [A-Z0-9 ]*PRIVATE KEY-----/;
/** A block is a few dozen lines; a source that never ends one stops being masked after this many. */
const MAX_BLOCK_LINES = 200;

export class PemBlockMasker {
  private readonly open = new Map<string, number>();

  /** Masks `record.message` when it is inside an open key block of its source. */
  apply(record: Record<string, unknown>): void {
    const message = record.message;
    if (typeof message !== 'string') return;
    const source = sourceOf(record);
    const inside = this.open.get(source);
    if (inside !== undefined) {
      record.message = END.test(message) ? message.replace(/^[\s\S]*?(-----END )/, `${REDACTED}\n$1`) : REDACTED;
      if (END.test(message) || inside + 1 >= MAX_BLOCK_LINES) this.open.delete(source);
      else this.open.set(source, inside + 1);
      return;
    }
    const begin = BEGIN.exec(message);
    if (begin && !END.test(message.slice(begin.index))) this.open.set(source, 0);
  }
}

function sourceOf(record: Record<string, unknown>): string {
  return `${String(record.server ?? '')}:${String(record.pid ?? '')}:${String(record.stream ?? '')}`;
}
