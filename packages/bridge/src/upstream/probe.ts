import type { InitializeResult } from '@modelcontextprotocol/sdk/types.js';
import { BridgeRequestError, BridgeRequests } from './bridge-requests.js';
import type { ChildResponseHooks } from './child-response-hooks.js';
import { childExited } from './errors.js';
import { IdAllocator } from './id-allocator.js';
import { bridgeInitializeParams, parseInitializeResult } from './initialize.js';
import { isResponse } from './jsonrpc.js';
import type { SessionChild } from './session-child.js';

export type ProbeOutcome = { ok: true; result: InitializeResult } | { ok: false; reason: string };

/**
 * per-session start-up: one throw-away child, initialized by the bridge, tells whether the
 * server works at all and what it offers (initializeResult() and `server/discover` need that
 * before any session exists). The caller stops the child afterwards.
 */
export async function probeServer(
  child: SessionChild,
  options: { server: string; protocolVersion?: string; initializeTimeoutMs: number; hooks: ChildResponseHooks },
): Promise<ProbeOutcome> {
  const requests = new BridgeRequests(new IdAllocator(), (response, method) => options.hooks.observe(response, method, 'bridge'));
  child.onMessage = (message) => {
    if (isResponse(message)) requests.handleResponse(message);
  };
  child.onExit = (info) => requests.rejectAll(childExited(options.server, info.reason));
  await child.start();
  if (child.exit) return { ok: false, reason: child.exit.reason };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`MCP server "${options.server}" did not answer initialize within ${options.initializeTimeoutMs} ms`)),
      options.initializeTimeoutMs,
    );
  });
  try {
    const answer = await Promise.race([requests.send(child.channel, 'initialize', bridgeInitializeParams(options.protocolVersion)), timeout]);
    return { ok: true, result: parseInitializeResult(answer) };
  } catch (error) {
    // The reason readiness reports: for an error the child answered, what a client would be told.
    if (error instanceof BridgeRequestError && error.answeredByChild) return { ok: false, reason: options.hooks.rewrite(error.body, 'initialize').message };
    return { ok: false, reason: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
