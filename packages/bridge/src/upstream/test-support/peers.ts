import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { ClientCapabilities, JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { ClientPeer, Upstream, UpstreamSession } from '../types.js';
import { waitFor } from './wait-for.js';

export interface Delivered {
  message: JSONRPCMessage;
  relatedRequestId?: RequestId;
}

/** A ClientPeer that records what the upstream delivered (and optionally passes it on). */
export class RecordingPeer implements ClientPeer {
  readonly received: Delivered[] = [];
  endedReason: string | null = null;
  forward: ((message: JSONRPCMessage) => void) | null = null;

  constructor(
    readonly label: string,
    readonly stateless = false,
  ) {}

  send(message: JSONRPCMessage, relatedRequestId?: RequestId): void {
    this.received.push({ message, relatedRequestId });
    this.forward?.(message);
  }

  upstreamEnded(reason: string): void {
    this.endedReason = reason;
  }

  /** The response to request `id` (compared exactly: 1 and "1" differ). */
  responseTo(id: RequestId): Delivered | undefined {
    return this.received.find(({ message }) => ('result' in message || 'error' in message) && message.id === id);
  }

  waitForResponse(id: RequestId, timeoutMs?: number): Promise<Delivered> {
    return waitFor(`a response to ${JSON.stringify(id)} on ${this.label}`, () => this.responseTo(id), timeoutMs);
  }

  messagesWithMethod(method: string): Delivered[] {
    return this.received.filter(({ message }) => 'method' in message && message.method === method);
  }

  waitForMethod(method: string, timeoutMs?: number): Promise<Delivered> {
    return waitFor(`${method} on ${this.label}`, () => this.messagesWithMethod(method)[0], timeoutMs);
  }
}

/** A hand-driven session: raw JSON-RPC in, recorded messages out. */
export function openRawSession(upstream: Upstream, label: string, stateless = false): { peer: RecordingPeer; session: UpstreamSession } {
  const peer = new RecordingPeer(label, stateless);
  return { peer, session: upstream.open(peer) };
}

export interface ConnectedClient {
  client: Client;
  peer: RecordingPeer;
  session: UpstreamSession;
  close(): Promise<void>;
}

/**
 * A real SDK Client talking to an upstream session through an InMemoryTransport pair, so the
 * SDK validates every message the upstream produces (ids, results, notifications).
 */
export async function connectClient(
  upstream: Upstream,
  label: string,
  capabilities: ClientCapabilities = {},
  setup?: (client: Client) => void,
): Promise<ConnectedClient> {
  const [clientSide, bridgeSide] = InMemoryTransport.createLinkedPair();
  const peer = new RecordingPeer(label);
  const session = upstream.open(peer);
  // One message per macrotask, as separate network reads would arrive: the SDK client runs
  // notification handlers a microtask late, so a progress notification handed over in the
  // same tick as its response would find its handler already removed.
  peer.forward = (message) => setImmediate(() => void bridgeSide.send(message).catch(() => undefined));
  bridgeSide.onmessage = (message) => session.receive(message);
  await bridgeSide.start();
  const client = new Client({ name: label, version: '1.0.0' }, { capabilities });
  setup?.(client);
  await client.connect(clientSide);
  return {
    client,
    peer,
    session,
    close: async () => {
      session.close();
      await client.close();
    },
  };
}
