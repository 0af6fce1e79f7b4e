/** One server-sent event. */
export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Reads server-sent events from a fetch Response body, for tests that must control the
 * stream themselves (resumption with Last-Event-ID). Comment frames (keepalive) are skipped.
 */
export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';

  constructor(response: Response) {
    if (!response.body) throw new Error(`response ${response.status} has no body`);
    this.reader = response.body.getReader();
  }

  /** The next event with data, or an error when the stream ends or the deadline passes. */
  async next(timeoutMs = 5_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.takeEvent();
      if (event) return event;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no SSE event within ${timeoutMs} ms`);
      const chunk = await Promise.race([this.reader.read(), timeout(remaining)]);
      if (chunk === 'timeout') throw new Error(`no SSE event within ${timeoutMs} ms`);
      if (chunk.done) throw new Error('SSE stream ended');
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }

  private takeEvent(): SseEvent | undefined {
    for (;;) {
      const end = this.buffer.search(/\r?\n\r?\n/);
      if (end < 0) return undefined;
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const event = parseBlock(block);
      if (event && event.data !== '') return event;
    }
  }
}

function parseBlock(block: string): SseEvent | undefined {
  const event: SseEvent = { data: '' };
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'id') event.id = value;
    else if (field === 'event') event.event = value;
  }
  event.data = data.join('\n');
  return event;
}

function timeout(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
}

/**
 * The JSON-RPC answer of a POST, whichever shape the server chose: a JSON body, or an SSE
 * stream whose last data event is the answer (the bridge sends a quick one whole, in one write).
 */
export async function readJsonRpcAnswer<T = unknown>(response: Response): Promise<T> {
  const text = await response.text();
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) return JSON.parse(text) as T;
  const data = text
    .split('\n\n')
    .map((event) => event.split('\n').find((line) => line.startsWith('data: '))?.slice('data: '.length))
    .filter((line): line is string => line !== undefined && line !== '');
  if (data.length === 0) throw new Error(`an SSE answer with no data event: ${JSON.stringify(text)}`);
  return JSON.parse(data[data.length - 1]!) as T;
}
