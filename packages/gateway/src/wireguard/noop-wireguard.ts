import type { GatewayInterfaceConfig, GatewayPeer, GatewayWireGuard, PeerStatistics } from './types.js';

/**
 * No tunnel at all: it only remembers the peers it was asked to install. This exists for the
 * gateway's own unit tests (they run without root or wireguard-go) and for `serve
 * --wg-backend none` in development, where agents are reachable some other way (loopback).
 * It is never what a production gateway should run.
 */
export class NoopWireGuard implements GatewayWireGuard {
  readonly kind = 'none';
  readonly peers = new Map<string, GatewayPeer>();
  config: GatewayInterfaceConfig | null = null;

  async start(config: GatewayInterfaceConfig): Promise<void> {
    this.config = config;
    this.peers.clear();
    for (const peer of config.peers) this.peers.set(peer.publicKey, peer);
  }

  async setPeer(peer: GatewayPeer, replacing?: string): Promise<void> {
    if (replacing !== undefined) this.peers.delete(replacing);
    this.peers.set(peer.publicKey, peer);
  }

  async removePeer(publicKey: string): Promise<void> {
    this.peers.delete(publicKey);
  }

  async statistics(): Promise<Map<string, PeerStatistics>> {
    return new Map();
  }

  async stop(): Promise<void> {
    this.config = null;
  }
}
