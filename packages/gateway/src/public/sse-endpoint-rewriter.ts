import { Transform, type TransformCallback } from 'node:stream';

/** Past this many bytes without the `endpoint` event, the stream is passed on untouched. */
const MAX_SCAN_BYTES = 64 * 1024;

/**
 * Legacy HTTP+SSE: the agent's first `endpoint` event names a path relative to its own root
 * (`/servers/<name>/message?sessionId=…`, protocol.md §3), which clients of the gateway must
 * reach under `/agents/<id>/…`. This parses events only until that one is rewritten, then
 * passes every chunk on as it comes, so later events flush one by one.
 */
export class SseEndpointRewriter extends Transform {
  private pending: Buffer | null = Buffer.alloc(0);

  constructor(private readonly rewrite: (endpoint: string) => string) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.pending === null) return callback(null, chunk);
    this.pending = Buffer.concat([this.pending, chunk]);
    this.scan();
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.pending !== null && this.pending.length > 0) this.push(this.pending);
    this.pending = null;
    callback();
  }

  private scan(): void {
    while (this.pending !== null) {
      // latin1 keeps byte offsets; line breaks are ASCII and never inside a UTF-8 sequence.
      const end = eventEnd(this.pending.toString('latin1'));
      if (end < 0) {
        if (this.pending.length > MAX_SCAN_BYTES) this.passThrough(this.pending);
        return;
      }
      const event = this.pending.subarray(0, end);
      const rest = this.pending.subarray(end);
      const rewritten = rewriteEndpointEvent(event.toString('utf8'), this.rewrite);
      if (rewritten === null) {
        this.push(event);
        this.pending = rest;
      } else {
        this.push(Buffer.from(rewritten, 'utf8'));
        this.passThrough(rest);
      }
    }
  }

  private passThrough(rest: Buffer): void {
    if (rest.length > 0) this.push(rest);
    this.pending = null;
  }
}

/** The offset just past the blank line that ends the first event, or -1. Lines end in CRLF, LF or CR. */
export function eventEnd(text: string): number {
  let lineStart = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c !== '\n' && c !== '\r') continue;
    let next = i + 1;
    if (c === '\r') {
      if (next >= text.length) return -1; // a CR that may be half of a CRLF: wait for more
      if (text[next] === '\n') next += 1;
    }
    if (i === lineStart) return next;
    lineStart = next;
    i = next - 1;
  }
  return -1;
}

/** The event with its data rewritten when it is an `endpoint` event, else null. */
export function rewriteEndpointEvent(event: string, rewrite: (endpoint: string) => string): string | null {
  const lines = event.split(/(\r\n|\n|\r)/); // keeps the line breaks at odd indexes
  const isEndpoint = lines.some((line, index) => index % 2 === 0 && fieldOf(line)?.name === 'event' && fieldOf(line)?.value === 'endpoint');
  if (!isEndpoint) return null;
  return lines
    .map((line, index) => {
      const field = index % 2 === 0 ? fieldOf(line) : null;
      return field?.name === 'data' ? `data: ${rewrite(field.value)}` : line;
    })
    .join('');
}

/** An SSE field: the name before the first colon, the value after it less one leading space. */
function fieldOf(line: string): { name: string; value: string } | null {
  if (line === '' || line.startsWith(':')) return null;
  const colon = line.indexOf(':');
  if (colon < 0) return { name: line, value: '' };
  const value = line.slice(colon + 1);
  return { name: line.slice(0, colon), value: value.startsWith(' ') ? value.slice(1) : value };
}

/**
 * `/servers/<name>/message?sessionId=…` (or a URL with that path) → the same path under the
 * gateway's public prefix for the agent. Anything else is left alone.
 */
export function publicEndpointPath(endpoint: string, publicPrefix: string): string {
  // The agent's relative path keeps its exact bytes; only a full URL has to be taken apart.
  if (endpoint.startsWith('/servers/')) return `${publicPrefix}${endpoint}`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return endpoint;
  }
  if (!url.pathname.startsWith('/servers/')) return endpoint;
  return `${publicPrefix}${url.pathname}${url.search}`;
}
