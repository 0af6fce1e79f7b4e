const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export interface LineSplitterHandlers {
  /** A complete line without its "\n" (and without a "\r" before it). */
  onLine(line: string): void;
  /** A line longer than the cap was dropped; `bytes` is its full length. */
  onOversize(bytes: number): void;
}

/**
 * Cuts a byte stream into lines of at most `maxLineBytes`.
 *
 * Written by hand rather than reusing the SDK's ReadBuffer because that one concatenates
 * every chunk onto one growing buffer (quadratic for large messages) and, on overflow,
 * throws and discards everything buffered, messages after the long line included. Here a
 * pending line is a list of chunk slices joined once, and a line over the cap is not kept
 * at all: its bytes are only counted until the next newline, so memory stays bounded by
 * the cap whatever the child writes.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of the current line seen while discarding it (-1: not discarding). */
  private discarded = -1;
  private discardedEndsWithCarriageReturn = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly handlers: LineSplitterHandlers,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      this.completeLine(chunk.subarray(start, end));
      start = end + 1;
    }
    if (start < chunk.length) this.keepPartial(chunk.subarray(start));
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.discarded >= 0 || this.pendingBytes > 0) this.completeLine(Buffer.alloc(0));
  }

  /** `segment` is the end of a line, up to (not including) its newline. */
  private completeLine(segment: Buffer): void {
    const endsWithCarriageReturn = this.endsWithCarriageReturn(segment);
    const discarding = this.discarded >= 0;
    const bytes =
      (discarding ? this.discarded : this.pendingBytes) + segment.length - (endsWithCarriageReturn ? 1 : 0);
    if (discarding || bytes > this.maxLineBytes) {
      this.discarded = -1;
      this.dropPending();
      this.handlers.onOversize(bytes);
      return;
    }
    const line = this.pending.length === 0 ? segment : Buffer.concat([...this.pending, segment]);
    this.dropPending();
    this.handlers.onLine(line.toString('utf8', 0, bytes));
  }

  private endsWithCarriageReturn(segment: Buffer): boolean {
    if (segment.length > 0) return segment[segment.length - 1] === CARRIAGE_RETURN;
    if (this.discarded >= 0) return this.discardedEndsWithCarriageReturn;
    const last = this.pending[this.pending.length - 1];
    return last !== undefined && last[last.length - 1] === CARRIAGE_RETURN;
  }

  private keepPartial(part: Buffer): void {
    if (this.discarded < 0 && this.pendingBytes + part.length > this.maxLineBytes + 1) {
      // +1 above: a "\r" before the newline does not count against the cap.
      this.discarded = this.pendingBytes;
      this.dropPending();
    }
    if (this.discarded >= 0) {
      this.discarded += part.length;
      this.discardedEndsWithCarriageReturn = part[part.length - 1] === CARRIAGE_RETURN;
      return;
    }
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  private dropPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }
}
