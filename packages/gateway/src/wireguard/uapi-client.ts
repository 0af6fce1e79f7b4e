import * as net from 'node:net';
import { answerErrno } from './uapi-config.js';

/** Where wireguard-go listens for UAPI requests: one socket per interface, shared by every network namespace. */
export function uapiSocketPath(interfaceName: string, runDir = '/var/run/wireguard'): string {
  return `${runDir}/${interfaceName}.sock`;
}

/**
 * One UAPI exchange: connect, write the request, read up to the blank line that ends the
 * answer, check its errno. A fresh connection per request: wireguard-go handles one request
 * per read loop and the requests are rare (registrations, rotations, `agents list`).
 */
export function uapiRequest(socketPath: string, request: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    let answer = '';
    const timer = setTimeout(() => socket.destroy(new Error(`no UAPI answer from ${socketPath} within ${timeoutMs} ms`)), timeoutMs);
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) return reject(err);
      const errno = answerErrno(answer);
      if (errno === 0) resolve(answer);
      else reject(new Error(`wireguard-go refused the UAPI request (errno=${errno ?? 'missing'})`));
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.endsWith('\n\n')) finish(null);
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(answer.endsWith('\n\n') ? null : new Error(`the UAPI socket ${socketPath} closed before answering`)));
    socket.write(request);
  });
}
