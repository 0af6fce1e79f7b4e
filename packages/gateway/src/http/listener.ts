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
  const [cert, key] = await Promise.all([readPem(tls.certFile, '--tls-cert'), readPem(tls.keyFile, '--tls-key')]);
  return https.createServer({ ...options, cert, key });
}

async function readPem(file: string, option: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    throw new Error(`${option} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code}); give a PEM file`);
  }
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
