import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** Checks parsed JSON is one JSON-RPC message or a batch of them; the error says what is wrong. */
export type MessagesResult = { ok: true; messages: JSONRPCMessage[]; batch: boolean } | { ok: false; message: string };

export function validateMessages(value: unknown): MessagesResult {
  const batch = Array.isArray(value);
  const items: unknown[] = batch ? value : [value];
  if (batch && items.length === 0) return { ok: false, message: 'Invalid Request: an empty batch holds no JSON-RPC message' };
  const messages: JSONRPCMessage[] = [];
  for (const item of items) {
    const parsed = JSONRPCMessageSchema.safeParse(item);
    if (!parsed.success) return { ok: false, message: `Invalid Request: not a JSON-RPC 2.0 message (${describeShape(item)})` };
    messages.push(parsed.data);
  }
  return { ok: true, messages, batch };
}

function describeShape(item: unknown): string {
  if (item === null || typeof item !== 'object') return `got ${item === null ? 'null' : typeof item}`;
  const record = item as Record<string, unknown>;
  if (record.jsonrpc !== '2.0') return 'missing "jsonrpc": "2.0"';
  return 'needs "method" (request, notification) or "id" with "result"/"error" (response)';
}
