import type { IncomingMessage } from 'node:http';
import { ErrorCode, refusal, type HttpRefusal } from './errors.js';

/**
 * Reads and parses a POST body once, with a hard byte limit counted as chunks arrive (a
 * client can lie in Content-Length or send chunked). The parsed value is handed to the
 * SDK transports as `parsedBody`, so they never read the stream themselves.
 */

export type BodyResult = { ok: true; value: unknown } | { ok: false; refusal: HttpRefusal; tooLarge: boolean };

/** The limit's option names, for the message that tells the caller how to raise it. */
const LIMIT_OPTION = '--max-body-bytes (limits.maxBodyBytes)';

export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

export function unsupportedMediaType(header: string | undefined): HttpRefusal {
  const got = header === undefined ? 'no Content-Type' : `Content-Type ${JSON.stringify(header)}`;
  return refusal(415, ErrorCode.TransportRefused, `Unsupported Media Type: a POST must carry "Content-Type: application/json", got ${got}`);
}

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge(maxBytes);
  const text = await readText(req, maxBytes);
  if (text === undefined) return tooLarge(maxBytes);
  return parse(text);
}

/** Resolves with the text, or undefined as soon as more than maxBytes arrived (reading stops there). */
function readText(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > maxBytes) {
        cleanup();
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function parse(text: string): BodyResult {
  if (text.trim() === '') {
    return { ok: false, tooLarge: false, refusal: refusal(400, ErrorCode.ParseError, 'Parse error: the request body is empty; send one JSON-RPC message as JSON') };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, tooLarge: false, refusal: refusal(400, ErrorCode.ParseError, `Parse error: the request body is not valid JSON (${detail})`) };
  }
}

function tooLarge(maxBytes: number): BodyResult {
  return {
    ok: false,
    tooLarge: true,
    refusal: refusal(
      413,
      ErrorCode.TransportRefused,
      `Payload Too Large: request body must not exceed ${maxBytes} bytes; raise the limit with ${LIMIT_OPTION} if larger messages are expected`,
    ),
  };
}

/** How long, and how much more, an over-limit upload is read and thrown away after the 413. */
const DRAIN_TIMEOUT_MS = 2_000;
const DRAIN_MAX_BYTES = 16 * 1024 * 1024;

/**
 * After a refusal (413, 415, 401…) the client may still be sending its body. Closing at once
 * makes the kernel reset the connection and many clients then lose the answer they have not
 * read yet; so the rest is read and discarded, and the keep-alive connection stays usable,
 * but only within bounds (time and bytes): past them the socket is destroyed.
 */
export function drainAfterRefusal(req: IncomingMessage): void {
  if (req.complete) return;
  let discarded = 0;
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_TIMEOUT_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DRAIN_MAX_BYTES) req.socket.destroy();
  });
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
}
