import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { ADMIN_SOCKET_MODE } from '../config/admin-address.js';

/**
 * Listening on the admin unix socket: created with mode 0600 from the start (the umask is
 * tightened around the bind, which happens inside listen(), so there is no moment when another
 * user could connect), and a socket file left by a daemon that died is replaced, while one that
 * a running daemon answers on is not.
 */

export async function listenOnSocket(server: Server, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await bind(server, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !isSocketFile(path) || (await someoneAnswers(path))) throw error;
    unlinkSync(path);
    await bind(server, path);
  }
  chmodSync(path, ADMIN_SOCKET_MODE);
}

function bind(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    const previous = process.umask(0o177);
    try {
      server.listen(path, () => {
        server.off('error', onError);
        resolve();
      });
    } finally {
      process.umask(previous);
    }
  });
}

function isSocketFile(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}

function someoneAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function removeSocketFile(path: string): void {
  try {
    if (isSocketFile(path)) unlinkSync(path);
  } catch {
    // Gone already, or not ours to remove: nothing to do on the way out.
  }
}
