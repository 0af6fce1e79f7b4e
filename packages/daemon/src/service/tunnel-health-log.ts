import type { TunnelHealth } from '@mcp-workstation/tunnel';
import type { DaemonLogger } from '../logging/logger.js';

/**
 * Logs the tunnel's health when it changes, not every time it is read: the agent re-reads
 * WireGuard's statistics every few seconds, and reasons such as "latest handshake 12 s ago" or
 * "next attempt in 3.2 s" change with every reading without saying anything new.
 */
export class TunnelHealthLog {
  private lastSignature: string | null = null;

  constructor(private readonly logger: DaemonLogger) {}

  observe(health: TunnelHealth): void {
    const signature = signatureOf(health);
    if (signature === this.lastSignature) return;
    this.lastSignature = signature;
    const meta = {
      wireguard: `${health.wireguard.state}: ${health.wireguard.reason}`,
      control: `${health.control.state}: ${health.control.reason}`,
      listener: `${health.listener.state}: ${health.listener.reason}`,
    };
    switch (health.state) {
      case 'ready':
        return this.logger.info(`tunnel ready: ${readySummary(health)}`, meta);
      case 'failed':
        return this.logger.error(`tunnel failed: ${health.reason}`, meta);
      case 'degraded':
        return this.logger.warn(`tunnel degraded: ${health.reason}`, meta);
      default:
        return this.logger.info(`tunnel ${health.state}: ${health.reason}`, meta);
    }
  }
}

function readySummary(health: TunnelHealth): string {
  const where = health.listener.address ? `serving at ${health.listener.address} through the tunnel` : 'serving through the tunnel';
  return `agent ${health.agentId ?? '?'} connected to the gateway, ${where}`;
}

function signatureOf(health: TunnelHealth): string {
  const parts = [health, health.wireguard, health.control, health.listener].map((part) => `${part.state}:${withoutNumbers(part.reason)}`);
  return parts.join('|');
}

/** "latest handshake 12 s ago" and "latest handshake 17 s ago" are the same news. */
function withoutNumbers(reason: string): string {
  return reason.replace(/\d+(\.\d+)?/g, '#');
}
