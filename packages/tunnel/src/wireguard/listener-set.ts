import { listenOnTunnelAddress } from './tunnel-listener.js';
import type { TunnelListener, TunnelListenOptions, TunnelLogger } from './types.js';

/** The tunnel listeners a backend opened, so that down() leaves no socket behind. */
export class ListenerSet {
  private readonly open = new Set<TunnelListener>();

  async listen(host: string, options: TunnelListenOptions, logger?: TunnelLogger): Promise<TunnelListener> {
    const inner = await listenOnTunnelAddress(host, options, logger);
    const tracked: TunnelListener = {
      address: inner.address,
      port: inner.port,
      close: async () => {
        this.open.delete(tracked);
        await inner.close();
      },
    };
    this.open.add(tracked);
    return tracked;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((listener) => listener.close()));
  }
}
