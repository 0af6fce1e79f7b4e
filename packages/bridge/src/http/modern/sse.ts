import type { ServerResponse } from 'node:http';

/**
 * Server-Sent Events framing for 2026-07-28 response streams. No `id:` fields: the revision
 * removed resumability (changelog major 9, streamable-http "Resumable SSE streams via
 * Last-Event-ID are not supported"), so there is nothing to resume from.
 */

export function startEventStream(res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // Reverse proxies must not buffer the stream (streamable-http "Receiving Messages").
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
}

export function writeEvent(res: ServerResponse, message: unknown): void {
  res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
}

/** A comment line: keeps idle intermediaries from closing a quiet stream; clients ignore it. */
export function writeKeepAlive(res: ServerResponse): void {
  res.write(':\n\n');
}
