import type { Logger } from '@mcp-workstation/supervisor';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { ClientPeer, Upstream, UpstreamSession } from '../upstream/types.js';
import { describeError } from './errors.js';

/**
 * Joins one client-facing SDK Transport to one upstream session: the transport's messages
 * go to session.receive, the upstream's go to transport.send on the stream of the request
 * they belong to, and whichever side ends first ends the other exactly once.
 */
export interface UpstreamLink {
  readonly session: UpstreamSession;
  /** Ends the upstream session and closes the transport; idempotent. */
  close(): Promise<void>;
}

export interface LinkOptions {
  upstream: Upstream;
  transport: Transport;
  label: string;
  stateless: boolean;
  logger: Logger;
  /** Runs once, after both sides are closed (unregister, release the session limit). */
  onClosed?: () => void;
}

/** Opens the upstream session; throws if the upstream cannot open one (the caller answers the client). */
export function linkTransport(options: LinkOptions): UpstreamLink {
  const { transport, logger, label } = options;
  const peer: ClientPeer = {
    label,
    stateless: options.stateless,
    send: (message: JSONRPCMessage, relatedRequestId?: RequestId) => {
      const sendOptions = relatedRequestId === undefined ? undefined : { relatedRequestId };
      transport.send(message, sendOptions).catch((error: unknown) => {
        // The client went away or the stream it belonged to is gone; the upstream cannot act on it.
        logger.debug('message to client not delivered', { client: label, reason: describeError(error) });
      });
    },
  };
  const session = options.upstream.open(peer);
  let closed = false;
  const endSession = (): void => {
    if (closed) return;
    closed = true;
    try {
      session.close();
    } catch (error) {
      logger.warn('closing an upstream session failed', { client: label, reason: describeError(error) });
    }
    options.onClosed?.();
  };
  transport.onmessage = (message: JSONRPCMessage) => {
    if (closed) return;
    try {
      session.receive(message);
    } catch (error) {
      logger.error('upstream refused a client message', { client: label, reason: describeError(error) });
    }
  };
  transport.onclose = endSession;
  transport.onerror = (error: Error) => logger.debug('client transport reported an error', { client: label, reason: error.message });
  return {
    session,
    close: async () => {
      endSession();
      await transport.close().catch(() => undefined);
    },
  };
}
