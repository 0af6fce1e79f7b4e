import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBridge } from '../../bridge.js';
import type { Bridge, BridgeOptions, IngressOptions } from '../../types.js';

/** A bridge with one ingress listening on 127.0.0.1 (ephemeral port), and its teardown. */
export interface RunningBridge {
  bridge: Bridge;
  port: number;
  url(path: string): string;
  /** Another ingress of the same bridge (the tunnel listener's shape), also listening. */
  addIngress(options: IngressOptions): Promise<{ port: number; url(path: string): string }>;
  close(): Promise<void>;
}

export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const bridge = createBridge(options);
  await bridge.start();
  const servers: Server[] = [];
  const listen = async (ingress: IngressOptions) => {
    const server = bridge.ingress(ingress);
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    return { port, url: (path: string) => `http://127.0.0.1:${port}${path}` };
  };
  const first = await listen({ name: 'loopback' });
  return {
    bridge,
    port: first.port,
    url: first.url,
    addIngress: listen,
    close: async () => {
      await bridge.close();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}
