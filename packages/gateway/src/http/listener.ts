import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';

/** Node's defaults, stated: long SSE answers are fine (no server timeout), slow headers are not. */
const HEADERS_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** The gateway's one HTTP listener, with TLS when a certificate and key are given. */
export async function createListener(tls: { certFile: string; keyFile: string } | undefined): Promise<http.Server> {
  const options: http.ServerOptions = { headersTimeout: HEADERS_TIMEOUT_MS, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, requestTimeout: 0 };
  if (!tls) return http.createServer(options);
  const [cert, key] = await readPems([
    [tls.certFile, '--tls-cert'],
    [tls.keyFile, '--tls-key'],
  ]);
  return https.createServer({ ...options, cert, key });
}

/**
 * Reads every file, then names every one that cannot be read, in the order given: one
 * message whatever finishes first (Promise.all reported whichever read failed first), and
 * the operator fixes both at once.
 */
async function readPems(files: Array<[file: string, option: string]>): Promise<Buffer[]> {
  const reads = await Promise.allSettled(files.map(([file]) => fs.readFile(file)));
  const problems = reads.flatMap((read, index) => {
    if (read.status === 'fulfilled') return [];
    const [file, option] = files[index];
    return [`${option} ${file}: cannot read it (${(read.reason as NodeJS.ErrnoException).code}); give a PEM file`];
  });
  if (problems.length > 0) throw new Error(problems.join('. '));
  return reads.map((read) => (read as PromiseFulfilledResult<Buffer>).value);
}

export function listen(server: http.Server, host: string, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'EADDRINUSE' ? ': something else listens there; choose another --listen' : err.code === 'EACCES' ? ': a port below 1024 needs root' : '';
      reject(new Error(`cannot listen on ${host}:${port} (${err.code})${hint}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? { host: address.address, port: address.port } : { host, port });
    });
  });
}
