const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** How much of each end of a dropped line is kept: enough for a JSON-RPC envelope's keys and id. */
export const OVERSIZE_END_BYTES = 4096;

/**
 * The first and last bytes of a dropped line: copies, at most OVERSIZE_END_BYTES each (they
 * overlap on a short line), a "\r" before the newline left in (JSON counts it as whitespace).
 */
export interface LineEnds {
  head: Buffer;
  tail: Buffer;
}

export interface LineSplitterHandlers {
  /** A complete line without its "\n" (and without a "\r" before it). */
  onLine(line: string): void;
  /** A line longer than the cap was dropped; `bytes` is its full length, `ends` its first and last bytes. */
  onOversize(bytes: number, ends: LineEnds): void;
}

/**
 * Cuts a byte stream into lines of at most `maxLineBytes`.
 *
 * Written by hand rather than reusing the SDK's ReadBuffer because that one concatenates
 * every chunk onto one growing buffer (quadratic for large messages) and, on overflow,
 * throws and discards everything buffered, messages after the long line included. Here a
 * pending line is a list of chunk slices joined once, and a line over the cap is not kept
 * at all: its bytes are only counted until the next newline, so memory stays bounded by
 * the cap whatever the child writes. Only its first and last few kilobytes are kept, for the
 * owner to learn what the line was (the id of the request an oversize answer belongs to).
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of the current line seen while discarding it (-1: not discarding). */
  private discarded = -1;
  private discardedEndsWithCarriageReturn = false;
  /** While discarding: the line's first bytes, and its last ones so far. */
  private discardedHead: Buffer = Buffer.alloc(0);
  private discardedTail: Buffer = Buffer.alloc(0);

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
      const ends = discarding ? this.discardedEnds(segment) : this.pendingEnds(segment);
      this.discarded = -1;
      this.discardedHead = this.discardedTail = Buffer.alloc(0);
      this.dropPending();
      this.handlers.onOversize(bytes, ends);
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
      this.discardedHead = firstBytes([...this.pending, part], OVERSIZE_END_BYTES);
      this.discardedTail = lastBytes(this.pending, OVERSIZE_END_BYTES);
      this.dropPending();
    }
    if (this.discarded >= 0) {
      this.discarded += part.length;
      this.discardedEndsWithCarriageReturn = part[part.length - 1] === CARRIAGE_RETURN;
      this.discardedTail = lastBytes([this.discardedTail, part], OVERSIZE_END_BYTES);
      return;
    }
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  private dropPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** The ends of a line that went over the cap only with its last segment. */
  private pendingEnds(segment: Buffer): LineEnds {
    const parts = [...this.pending, segment];
    return { head: firstBytes(parts, OVERSIZE_END_BYTES), tail: lastBytes(parts, OVERSIZE_END_BYTES) };
  }

  /** The ends of a line discarded while it arrived. */
  private discardedEnds(segment: Buffer): LineEnds {
    return { head: this.discardedHead, tail: lastBytes([this.discardedTail, segment], OVERSIZE_END_BYTES) };
  }
}

/** A copy of the first `count` bytes of the concatenated parts. */
function firstBytes(parts: Buffer[], count: number): Buffer {
  const out: Buffer[] = [];
  let left = count;
  for (const part of parts) {
    if (left <= 0) break;
    const piece = part.subarray(0, left);
    out.push(piece);
    left -= piece.length;
  }
  return Buffer.concat(out); // always a copy
}

/** A copy of the last `count` bytes of the concatenated parts (never a view that would pin a large chunk). */
function lastBytes(parts: Buffer[], count: number): Buffer {
  const out: Buffer[] = [];
  let left = count;
  for (let i = parts.length - 1; i >= 0 && left > 0; i -= 1) {
    const part = parts[i]!;
    const piece = part.subarray(Math.max(0, part.length - left));
    out.unshift(piece);
    left -= piece.length;
  }
  return Buffer.concat(out); // always a copy
}
