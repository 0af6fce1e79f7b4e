import * as http from 'node:http';
import { parseErrorBody, parseJson } from '@mcp-workstation/protocol';

export class AdminClientError extends Error {}

/** One request to the running gateway's admin socket; a gateway that is not running is said so plainly. */
export function adminRequest(socketPath: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath,
        method,
        path,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const json = parseJson(text);
          resolve({ status: res.statusCode ?? 0, body: json.ok ? json.value : text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
        reject(new AdminClientError(`the gateway is not running for this state directory (no answer on ${socketPath}): start it with \`mcp-workstation-gateway serve\` (same --state-dir)`));
      } else if (err.code === 'EACCES') {
        reject(new AdminClientError(`cannot open ${socketPath} (permission denied): run this as the user the gateway runs as`));
      } else reject(err);
    });
    req.end(payload);
  });
}

/** The message of a protocol.md §0 error body, or the raw answer. */
export function adminErrorMessage(status: number, body: unknown): string {
  const parsed = parseErrorBody(body);
  return parsed.ok ? parsed.value.error.message : `the gateway answered ${status}: ${JSON.stringify(body)}`;
}
