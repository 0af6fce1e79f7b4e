import * as http from 'node:http';
import * as https from 'node:https';

export interface JsonRequest {
  url: URL;
  method: 'POST';
  /** Extra headers; Content-Type, Content-Length and Accept are set here. */
  headers: Record<string, string>;
  body: unknown;
  /** Trusted CA certificates (PEM) for https; undefined = Node's default roots. */
  ca?: string[];
  /** The whole exchange, connect to last byte. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface JsonResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A registration answer is a few hundred bytes; anything much bigger is not a gateway talking. */
const MAX_RESPONSE_BYTES = 256 * 1024;

/**
 * One JSON request over node:http / node:https. Written by hand because Node 20's global fetch
 * cannot take a CA per request (the extra --ca-file) and undici's own Agent is not a dependency.
 * A fresh connection each time (agent: false): a one-off registration must not leave an idle
 * keep-alive socket holding the process open.
 */
export function requestJson(request: JsonRequest): Promise<JsonResponse> {
  const payload = Buffer.from(JSON.stringify(request.body), 'utf8');
  const options: https.RequestOptions = {
    method: request.method,
    agent: false,
    headers: {
      ...request.headers,
      'content-type': 'application/json',
      'content-length': String(payload.length),
      accept: 'application/json',
    },
    signal: request.signal,
    ...(request.ca !== undefined ? { ca: request.ca } : {}),
  };
  return new Promise<JsonResponse>((resolve, reject) => {
    const transport = request.url.protocol === 'https:' ? https : http;
    const req = transport.request(request.url, options, (res) => readBody(res, req, resolve, reject));
    const timer = setTimeout(() => req.destroy(timeoutError(request.timeoutMs)), request.timeoutMs);
    req.once('close', () => clearTimeout(timer));
    req.once('error', reject);
    req.end(payload);
  });
}

function readBody(
  res: http.IncomingMessage,
  req: http.ClientRequest,
  resolve: (response: JsonResponse) => void,
  reject: (err: Error) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) req.destroy(new Error(`the response is larger than ${MAX_RESPONSE_BYTES} bytes`));
    else chunks.push(chunk);
  });
  res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
  res.once('error', reject);
}

function timeoutError(timeoutMs: number): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`no complete answer within ${timeoutMs} ms`);
  err.code = 'ETIMEDOUT';
  return err;
}
