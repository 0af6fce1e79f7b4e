import { CloseCode, UPGRADE_REFUSALS_AS_4401 } from '@mcp-workstation/protocol';

/** How one connection attempt ended. */
export type ConnectionEnding =
  /** The upgrade was answered with something other than 101. */
  | { kind: 'refused'; status: number }
  /** The WebSocket closed; `code` is the gateway's close code (1006 when none was received). */
  | { kind: 'closed'; code: number; reason: string }
  /** A network or TLS error, or the agent gave up on the connection (no pong, no welcome). */
  | { kind: 'failed'; message: string };

/** What the channel does next (protocol.md §2, close codes). */
export type EndingVerdict =
  | { action: 'credentials-rejected'; detail: string }
  | { action: 'revoked'; detail: string; reason: string }
  | { action: 'replaced'; detail: string }
  | { action: 'reconnect'; detail: string };

const REFUSED_AS_4401: ReadonlySet<number> = new Set(UPGRADE_REFUSALS_AS_4401);

export function judgeEnding(ending: ConnectionEnding): EndingVerdict {
  const detail = describeEnding(ending);
  if (ending.kind === 'refused') {
    return REFUSED_AS_4401.has(ending.status) ? { action: 'credentials-rejected', detail } : { action: 'reconnect', detail };
  }
  if (ending.kind === 'failed') return { action: 'reconnect', detail };
  switch (ending.code) {
    case CloseCode.credentialsRejected:
      return { action: 'credentials-rejected', detail };
    case CloseCode.revoked:
      return { action: 'revoked', detail, reason: ending.reason || 'the gateway closed the control channel with 4403' };
    case CloseCode.replaced:
      return { action: 'replaced', detail };
    default:
      return { action: 'reconnect', detail };
  }
}

export function describeEnding(ending: ConnectionEnding): string {
  switch (ending.kind) {
    case 'refused':
      return `the gateway refused the WebSocket upgrade with HTTP ${ending.status}`;
    case 'failed':
      return ending.message;
    case 'closed':
      if (ending.code === 1006) return 'the connection was lost (no close frame)';
      return `the gateway closed the connection with ${ending.code}${ending.reason ? ` (${ending.reason})` : ''}`;
  }
}
