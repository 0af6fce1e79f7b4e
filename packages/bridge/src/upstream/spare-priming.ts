import type { JSONRPCMessage, Result } from '@modelcontextprotocol/sdk/types.js';
import { BridgeRequests } from './bridge-requests.js';
import type { ChildResponseHooks } from './child-response-hooks.js';
import { childExited } from './errors.js';
import { IdAllocator } from './id-allocator.js';
import { isResponse } from './jsonrpc.js';
import type { SessionChild } from './session-child.js';

/**
 * per-session mode: the spare child, once spawned, is also initialized ahead, with exactly
 * the initialize params of the latest client whose session started well. A client that
 * sends the same params (the same application reconnecting, the common case) is answered
 * from the spare's own answer to them, so its session starts without waiting for the
 * child's first initialize (a cold runtime takes milliseconds to tens of milliseconds for
 * it). The child has then seen exactly what this client would have sent it, so nothing
 * differs from a child the client initialized itself; a client whose params differ gets a
 * fresh child (the primed spare waits for the next session).
 *
 * Why by hand: no MCP SDK or peer keeps servers initialized ahead; it is what lets a
 * per-session bridge open a session at nearly the speed of a shared one.
 */

export interface PrimedInitialize {
  /** canonicalParams() of the params the child was initialized with. */
  readonly fingerprint: string;
  /** The child's answer to them. */
  readonly result: Result;
  /** What the child sent between its answer and the session adopting it (log lines, list changes). */
  readonly early: JSONRPCMessage[];
}

/** Key-order-independent JSON of initialize params: two clients send "the same" params when these are equal. */
export function canonicalParams(params: unknown): string {
  return JSON.stringify(params ?? null, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

/**
 * Sends `initialize` with `params` to a started child and waits (at most `timeoutMs`) for
 * its answer. Resolves the primed state, or null when the child refused, timed out or
 * exited: such a spare is not given to a client. The answer is observed (origin bridge) so
 * the owner's hooks see it, as they see the start-up probe's.
 */
export async function primeChild(
  child: SessionChild,
  params: Record<string, unknown>,
  options: { hooks: ChildResponseHooks; server: string; timeoutMs: number },
): Promise<PrimedInitialize | null> {
  if (!child.alive()) return null;
  const requests = new BridgeRequests(new IdAllocator(), (response, method) => options.hooks.observe(response, method, 'bridge'));
  const early: JSONRPCMessage[] = [];
  let answered = false;
  child.onMessage = (message) => {
    if (isResponse(message) && !answered && requests.handleResponse(message)) return;
    early.push(message);
  };
  const ownerOnExit = child.onExit;
  child.onExit = (info) => {
    requests.rejectAll(childExited(options.server, info.reason));
    ownerOnExit?.(info);
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), options.timeoutMs);
    timer.unref?.(); // a spare's wait never keeps the process alive
  });
  try {
    const result = await Promise.race([requests.send(child.channel, 'initialize', params), timeout]);
    answered = true;
    if (result === null || !child.alive()) return null;
    return { fingerprint: canonicalParams(params), result, early };
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    child.onExit = ownerOnExit;
  }
}
