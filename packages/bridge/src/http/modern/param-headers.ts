import { isPlainObject } from './era.js';
import { decodeHeaderValue } from './headers.js';
import { headerMismatch, type ModernRejection } from './rejection.js';

/**
 * `Mcp-Param-{Name}` headers (SEP-2243; streamable-http#custom-headers-from-tool-parameters):
 * a tool's inputSchema may mark primitive properties with `x-mcp-header`, clients mirror
 * those argument values into headers, and "any server that processes the message body MUST
 * validate" them against the body (400 / -32020 otherwise).
 */

export interface HeaderDeclaration {
  /** Chain of `properties` keys from the schema root to the annotated property. */
  path: string[];
  header: string;
  type: 'string' | 'integer' | 'boolean' | 'number';
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PRIMITIVE_TYPES = new Set(['string', 'integer', 'boolean', 'number']);
const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * The declarations of one tool's inputSchema, found along `properties` chains only (the
 * spec's static reachability rule). Malformed annotations are skipped: rejecting the tool is
 * the client's duty (it hides such tools), the server only checks what a client could mirror.
 */
export function headerDeclarations(inputSchema: unknown, path: string[] = []): HeaderDeclaration[] {
  if (!isPlainObject(inputSchema) || !isPlainObject(inputSchema.properties)) return [];
  const found: HeaderDeclaration[] = [];
  for (const [key, property] of Object.entries(inputSchema.properties)) {
    if (!isPlainObject(property)) continue;
    const header = property['x-mcp-header'];
    const type = property.type;
    if (typeof header === 'string' && TOKEN.test(header) && typeof type === 'string' && PRIMITIVE_TYPES.has(type)) {
      found.push({ path: [...path, key], header, type: type as HeaderDeclaration['type'] });
    }
    found.push(...headerDeclarations(property, [...path, key]));
  }
  return found;
}

/** The first disagreement between a tools/call's arguments and its Mcp-Param-* headers, if any. */
export function paramHeaderProblem(
  declarations: HeaderDeclaration[],
  args: unknown,
  header: (name: string) => string | undefined,
): ModernRejection | undefined {
  for (const declaration of declarations) {
    const value = valueAt(args, declaration.path);
    // null or absent: the client omits the header and the server must not expect it.
    if (value === undefined || value === null) continue;
    const expected = asHeaderText(value);
    if (expected === undefined) continue;
    const name = `Mcp-Param-${declaration.header}`;
    const where = `arguments.${declaration.path.join('.')}`;
    const raw = header(name);
    if (raw === undefined) return headerMismatch(`the required ${name} header is absent (${where} is ${JSON.stringify(value)})`, '(missing)', expected);
    const decoded = decodeHeaderValue(raw);
    if (decoded === undefined) return headerMismatch(`the ${name} header carries an invalid =?base64?…?= value`, raw, expected);
    if (!sameValue(decoded, value, expected, declaration.type)) {
      return headerMismatch(`${name} header is "${decoded}" but ${where} is ${JSON.stringify(value)}`, raw, expected);
    }
  }
  return undefined;
}

function valueAt(root: unknown, path: string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

function asHeaderText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Numeric parameters compare numerically ("42.0" equals 42, streamable-http#server-validation note). */
function sameValue(decoded: string, value: unknown, expected: string, type: HeaderDeclaration['type']): boolean {
  if ((type === 'integer' || type === 'number') && typeof value === 'number' && DECIMAL.test(decoded)) return Number(decoded) === value;
  return decoded === expected;
}
