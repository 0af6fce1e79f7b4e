import { createServer, type Server, type Socket } from 'node:net';
import { createAddressMatcher, normalizeAddress } from './cidr.js';
import type { TunnelListener, TunnelListenOptions, TunnelLogger } from './types.js';

/**
 * The tunnel listener of the OS backends (kernel, wireguard-go): a TCP server bound to the
 * tunnel address only, which closes every connection from outside `allowedSources` before
 * reading a byte and hands the others to `onConnection` (the bridge adopts them).
 */
export async function listenOnTunnelAddress(
  host: string,
  options: TunnelListenOptions,
  logger?: TunnelLogger,
): Promise<TunnelListener> {
  const isAllowed = createAddressMatcher(options.allowedSources);
  const open = new Set<Socket>();
  // noDelay: these sockets are handed to an HTTP server that did not accept them, so they miss
  // the TCP_NODELAY it sets on its own; with Nagle on, an answer written in pieces (headers,
  // SSE events, chunk end) waits for the gateway's delayed ACK, about 40 ms per call
  // (the benchmark's tunnel part: +43 ms added p50 before, under 1 ms after).
  const server = createServer({ noDelay: true }, (socket) => admit(socket));

  function admit(socket: Socket): void {
    const remoteAddress = normalizeAddress(socket.remoteAddress ?? '');
    if (!isAllowed(remoteAddress)) {
      socket.destroy();
      options.onRefused?.(remoteAddress);
      return;
    }
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    try {
      options.onConnection(socket, remoteAddress);
    } catch (error) {
      logger?.error('tunnel connection handler failed; connection closed', { remoteAddress, error: String(error) });
      socket.destroy();
    }
  }

  const port = await bind(server, host, options.port);
  return {
    address: host,
    port,
    close: () => closeServer(server, open),
  };
}

function bind(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => reject(explainListenError(error, host, port));
    server.once('error', onError);
    // exclusive: never share the port with a cluster primary; this socket is the tunnel's own.
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function explainListenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (error.code) {
    case 'EADDRNOTAVAIL':
      return new Error(`cannot listen on the tunnel address ${where}: no interface has that address (is the WireGuard interface up with its address?)`);
    case 'EADDRINUSE':
      return new Error(`cannot listen on the tunnel address ${where}: the port is in use by another program; stop it or have the gateway assign another listenPort`);
    case 'EACCES':
      return new Error(`cannot listen on the tunnel address ${where}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)`);
    default:
      return new Error(`cannot listen on the tunnel address ${where}: ${error.message}`);
  }
}

async function closeServer(server: Server, open: Set<Socket>): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // The tunnel behind these connections is going away; server.close() alone would wait for them.
  for (const socket of open) socket.destroy();
  await closed;
}
