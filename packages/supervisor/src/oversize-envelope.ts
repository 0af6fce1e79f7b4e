/**
 * What a JSON-RPC line that was too large to keep was, read from its first and last few
 * kilobytes only: which top-level keys it has and its id. A server's answer puts its large
 * part in one member (`result`, or `error.data`) and its id before or after it (the SDK writes
 * `{"result":…,"jsonrpc":"2.0","id":7}`), so one of the two ends holds the id.
 *
 * The head is read forwards and the tail backwards, each tracking strings and nesting exactly,
 * so a `"id":` inside a string or inside the result never counts: only members of the
 * outermost object do. Reading stops, without guessing, where an end runs out.
 */

export type EnvelopeKind = 'response' | 'request' | 'notification' | 'unknown';

export interface Envelope {
  kind: EnvelopeKind;
  /** The id, when one end holds it as a string or an integer. */
  id?: string | number;
}

/** A member whose value is an object or an array (not read) or was cut off by the end of the window. */
const UNREAD = Symbol('unread');
type Members = Map<string, string | typeof UNREAD>;

export function peekEnvelope(head: string, tail: string): Envelope {
  const members: Members = new Map();
  readForwards(head, members);
  readBackwards(tail, members);
  const id = idOf(members.get('id'));
  if (members.has('method')) return id === undefined ? { kind: members.has('id') ? 'unknown' : 'notification' } : { kind: 'request', id };
  if (members.has('result') || members.has('error')) return id === undefined ? { kind: 'unknown' } : { kind: 'response', id };
  return { kind: 'unknown' };
}

function idOf(raw: string | typeof UNREAD | undefined): string | number | undefined {
  if (raw === undefined || raw === UNREAD) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)) ? value : undefined;
}

function add(members: Members, rawKey: string, value: string | typeof UNREAD): void {
  let key: unknown;
  try {
    key = JSON.parse(rawKey);
  } catch {
    return;
  }
  if (typeof key === 'string' && !members.has(key)) members.set(key, value);
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const LITERAL_END = new Set([',', '}', ']', ' ', '\t', '\n', '\r']);

function skipForwards(text: string, i: number): number {
  while (i < text.length && WHITESPACE.has(text[i]!)) i += 1;
  return i;
}

function skipBackwards(text: string, j: number): number {
  while (j >= 0 && WHITESPACE.has(text[j]!)) j -= 1;
  return j;
}

/** Index just past the string that opens at `i`, or -1 when the text ends first. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j += 1) {
    if (text[j] === '\\') j += 1;
    else if (text[j] === '"') return j + 1;
  }
  return -1;
}

/** Index just past the object or array that opens at `i`, or -1 when the text ends first. */
function compositeEnd(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; ) {
    const c = text[j]!;
    if (c === '"') {
      j = stringEnd(text, j);
      if (j < 0) return -1;
      continue;
    }
    if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') {
      depth -= 1;
      if (depth === 0) return j + 1;
    }
    j += 1;
  }
  return -1;
}

/** The members of the outermost object, from its start, until the text runs out. */
function readForwards(text: string, members: Members): void {
  let i = skipForwards(text, 0);
  if (text[i] !== '{') return;
  i += 1;
  for (;;) {
    i = skipForwards(text, i);
    if (text[i] !== '"') return; // the end of the object, or of the window
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return;
    const rawKey = text.slice(i, keyEnd);
    i = skipForwards(text, keyEnd);
    if (text[i] !== ':') return;
    i = skipForwards(text, i + 1);
    if (i >= text.length) return add(members, rawKey, UNREAD);
    const c = text[i]!;
    let end: number;
    if (c === '"') end = stringEnd(text, i);
    else if (c === '{' || c === '[') end = compositeEnd(text, i);
    else {
      end = i;
      while (end < text.length && !LITERAL_END.has(text[end]!)) end += 1;
      if (end >= text.length) end = -1;
    }
    if (end < 0 || c === '{' || c === '[') {
      add(members, rawKey, UNREAD);
      if (end < 0) return;
    } else {
      add(members, rawKey, text.slice(i, end));
    }
    i = skipForwards(text, end);
    if (text[i] !== ',') return;
    i += 1;
  }
}

/**
 * Start of the string whose closing quote is at `j`, or -1 when the text starts first. Going
 * backwards, the opening quote is the first one not escaped: preceded by an even number of
 * backslashes. A run of backslashes that reaches the window's start leaves that unknown.
 */
function stringStart(text: string, j: number): number {
  for (let k = j - 1; k >= 0; k -= 1) {
    if (text[k] !== '"') continue;
    let backslashes = 0;
    let b = k - 1;
    while (b >= 0 && text[b] === '\\') {
      backslashes += 1;
      b -= 1;
    }
    if (b < 0 && backslashes > 0) return -1;
    if (backslashes % 2 === 0) return k;
  }
  return -1;
}

/** Start of the object or array that closes at `j`, or -1 when the text starts first. */
function compositeStart(text: string, j: number): number {
  let depth = 0;
  for (let k = j; k >= 0; ) {
    const c = text[k]!;
    if (c === '"') {
      k = stringStart(text, k);
      if (k < 0) return -1;
      k -= 1;
      continue;
    }
    if (c === '}' || c === ']') depth += 1;
    else if (c === '{' || c === '[') {
      depth -= 1;
      if (depth === 0) return k;
    }
    k -= 1;
  }
  return -1;
}

/** The members of the outermost object, from its end backwards, until the text runs out. */
function readBackwards(text: string, members: Members): void {
  let j = skipBackwards(text, text.length - 1);
  if (text[j] !== '}') return;
  j -= 1;
  for (;;) {
    j = skipBackwards(text, j);
    if (j < 0) return;
    const c = text[j]!;
    let value: string | typeof UNREAD;
    let start: number;
    if (c === '"') {
      start = stringStart(text, j);
      if (start < 0) return;
      value = text.slice(start, j + 1);
    } else if (c === '}' || c === ']') {
      start = compositeStart(text, j);
      if (start < 0) return;
      value = UNREAD;
    } else if (c === '{' || c === ',' || c === ':') {
      return; // the object's start (an empty object), or nothing a value ends with
    } else {
      start = j;
      while (start > 0 && !LITERAL_END.has(text[start - 1]!) && text[start - 1] !== ':') start -= 1;
      if (start === 0) return;
      value = text.slice(start, j + 1);
    }
    j = skipBackwards(text, start - 1);
    if (text[j] !== ':') return;
    j = skipBackwards(text, j - 1);
    if (text[j] !== '"') return;
    const keyStart = stringStart(text, j);
    if (keyStart < 0) return;
    add(members, text.slice(keyStart, j + 1), value);
    j = skipBackwards(text, keyStart - 1);
    if (text[j] !== ',') return; // '{': the whole object was read
    j -= 1;
  }
}
