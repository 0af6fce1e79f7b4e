import { EventEmitter } from 'node:events';
import type { MessageChannel, ServerStatus } from '@mcp-workstation/supervisor';

/**
 * The latest supervisor status of each server's children, with an event on every change: what
 * the daemon tells the gateway about its servers (restarts, last error) besides their state.
 * In per-session mode a server has many children; the one that changed last speaks for it.
 */
export class ServerStatusBoard extends EventEmitter<{ change: [ServerStatus, MessageChannel] }> {
  private readonly latest = new Map<string, ServerStatus>();

  track<C extends MessageChannel>(channel: C): C {
    channel.on('state', (status) => {
      this.latest.set(status.name, status);
      this.emit('change', status, channel);
    });
    return channel;
  }

  latestOf(serverName: string): ServerStatus | undefined {
    return this.latest.get(serverName);
  }
}
