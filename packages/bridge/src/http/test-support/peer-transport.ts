import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ClientPeer } from '../../upstream/types.js';

/**
 * The server end of an in-process link between an SDK McpServer and a bridge ClientPeer.
 * Not the SDK's InMemoryTransport because that one drops `relatedRequestId`, and the bridge
 * needs it to put progress, server->client requests and responses on the right HTTP stream.
 */
export class PeerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private closed = false;

  constructor(private readonly peer: ClientPeer) {}

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.closed) throw new Error('peer transport closed');
    this.peer.send(message, options?.relatedRequestId);
  }

  /** A message from the client, as the bridge hands it to UpstreamSession.receive. */
  deliver(message: JSONRPCMessage): void {
    if (!this.closed) this.onmessage?.(message);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}
