import type { Duplex } from 'node:stream';

/**
 * The answer to a connection Node's HTTP parser gave up on (its 'clientError'): a malformed
 * request, headers too large, or a request too slow to arrive (headersTimeout and
 * requestTimeout: a slowloris). Node's default would be the same statuses; a listener that
 * handles the event must write them itself, and must never throw (a reset socket is only
 * destroyed). One function for every listener (the bridge's ingresses, the daemon's front).
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${clientErrorStatus(error)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function clientErrorStatus(error: NodeJS.ErrnoException): string {
  if (error.code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  return '400 Bad Request';
}
