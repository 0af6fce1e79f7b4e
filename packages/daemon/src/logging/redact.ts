/**
 * Masks secrets in log records before any transport sees them: values of fields whose name
 * says "secret" (authorization, apiKey, token, secret, privateKey, password, cookie) and
 * bearer tokens inside any string. Deliberately simple; the daemon's config work extends it.
 */

export const REDACTED = '[REDACTED]';

const SENSITIVE_NAME = /authorization|cookie|api[-_]?key|token|secret|private[-_]?key|password|passwd/i;
const BEARER = /\b(bearer)\s+[A-Za-z0-9._~+/=-]+/gi;
const MAX_DEPTH = 6;

export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name);
}

export function redactString(text: string): string {
  return text.replace(BEARER, `$1 ${REDACTED}`);
}

/** A redacted copy of `value` (the caller's objects are never modified). */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (value instanceof Error) return { name: value.name, message: redactString(value.message) };
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] = isSensitiveName(key) && field !== undefined && field !== null ? REDACTED : redactValue(field, depth + 1);
  }
  return copy;
}

/**
 * Redacts a winston info object in place. Only its own string keys are touched: winston keeps
 * level/message/splat under Symbol keys, which must survive unchanged.
 */
export function redactRecord<T extends Record<string, unknown>>(record: T): T {
  for (const key of Object.keys(record)) {
    if (key === 'level') continue;
    const field = record[key];
    (record as Record<string, unknown>)[key] =
      isSensitiveName(key) && field !== undefined && field !== null ? REDACTED : redactValue(field);
  }
  return record;
}
