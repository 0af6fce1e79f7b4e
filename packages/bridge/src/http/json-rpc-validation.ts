import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { MAX_MESSAGE_DEPTH, nestedDeeperThan } from '@mcp-workstation/supervisor';

/**
 * The most messages one batch may hold, on every transport: the SDK's Streamable HTTP
 * transport refuses more (its MAX_BATCH_SIZE), and legacy SSE and WebSocket keep the same cap
 * so a client meets one rule whatever it speaks. docs/configuration.md, "Fixed limits".
 */
export const MAX_BATCH_MESSAGES = 100;

/** Checks parsed JSON is one JSON-RPC message or a batch of them; the error says what is wrong. */
export type MessagesResult = { ok: true; messages: JSONRPCMessage[]; batch: boolean } | { ok: false; message: string };

export function validateMessages(value: unknown): MessagesResult {
  const batch = Array.isArray(value);
  const items: unknown[] = batch ? value : [value];
  if (batch && items.length === 0) return { ok: false, message: 'Invalid Request: an empty batch holds no JSON-RPC message' };
  if (items.length > MAX_BATCH_MESSAGES) {
    return { ok: false, message: `Invalid Request: a batch may hold at most ${MAX_BATCH_MESSAGES} messages, this one holds ${items.length}; send them in several batches` };
  }
  const messages: JSONRPCMessage[] = [];
  for (const item of items) {
    const parsed = JSONRPCMessageSchema.safeParse(item);
    if (!parsed.success) return { ok: false, message: `Invalid Request: not a JSON-RPC 2.0 message (${describeShape(item)})` };
    messages.push(parsed.data);
  }
  return { ok: true, messages, batch };
}

/**
 * Input nested deeper than MAX_MESSAGE_DEPTH is refused where it comes in, before anything
 * walks it: the message, and the id of the request it would have been. Undefined when it is
 * within the limit.
 */
export function depthRefusal(value: unknown): { message: string; id: string | number | undefined } | undefined {
  if (!nestedDeeperThan(value, MAX_MESSAGE_DEPTH)) return undefined;
  return {
    message:
      `Invalid Request: the message nests objects and arrays more than ${MAX_MESSAGE_DEPTH} levels deep ` +
      `(the limit of this bridge, the message itself counting as one level); send flatter data`,
    id: requestIdOf(value),
  };
}

/** The id of a single request (not a batch), when it has a usable one. */
export function requestIdOf(value: unknown): string | number | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id)) ? id : undefined;
}

function describeShape(item: unknown): string {
  if (item === null || typeof item !== 'object') return `got ${item === null ? 'null' : typeof item}`;
  const record = item as Record<string, unknown>;
  if (record.jsonrpc !== '2.0') return 'missing "jsonrpc": "2.0"';
  return 'needs "method" (request, notification) or "id" with "result"/"error" (response)';
}
