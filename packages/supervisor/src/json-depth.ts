/**
 * How deeply a JSON-RPC message may nest objects and arrays, the message itself counting as
 * one level (`{"jsonrpc":…,"params":{"arguments":{…}}}` is three before the tool's own data).
 *
 * JSON.parse reads any depth, but JSON.stringify, the SDK's validation and every other
 * recursive walk overflow the stack somewhere past a few thousand levels; a message past that
 * point could be read but never written on, and its request was never answered. Real MCP
 * traffic nests a few levels (tool arguments and results follow JSON Schemas), so 128 leaves
 * wide headroom while staying far below any stack limit.
 */
export const MAX_MESSAGE_DEPTH = 128;

/**
 * Whether `value` nests objects and arrays more than `limit` levels deep (the value itself is
 * level 1; strings, numbers, booleans and null add none). Iterative, so a value of any depth
 * is measured without recursion, and it stops at the first node past the limit. Its cost is
 * one step per object or array, not per byte: a megabyte of text in one string is one leaf.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
