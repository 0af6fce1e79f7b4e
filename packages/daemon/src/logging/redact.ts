/**
 * Masks secrets in log records before any transport sees them:
 * - values of fields whose name says "secret" (authorization, apiKey, token, secret,
 *   privateKey, password, cookie), at any depth;
 * - inside any string: bearer and other Authorization credentials, `name=value` and
 *   `name: value` pairs whose name says "secret" (a WireGuard `PrivateKey = …` line, a UAPI
 *   `private_key=…`, `"agentSecret":"…"` in a JSON text), PEM private keys, and credentials
 *   with a known prefix (the reference gateway's `mwreg_` tokens and `mwsec_` agent secrets);
 * - values the daemon knows to be secret (KnownSecrets: its API key, agent secret, private
 *   key, secret variables of --env-file), wherever they appear, even without any hint.
 * The patterns need a credential-looking value (8 characters or more), so prose such as
 * "invalid_token: missing" survives for diagnosis.
 */

export const REDACTED = '[REDACTED]';

const SENSITIVE_NAME = /authorization|cookie|api[-_]?key|token|secret|private[-_]?key|password|passwd/i;
/** Names that hold where a secret is, not the secret: tokenFile, apiKeyFile, keyPath. */
const LOCATION_NAME = /(file|path|dir)$/i;
const BEARER = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const AUTHORIZATION_VALUE = /\b(authorization["']?\s*[:=]\s*["']?)(?!bearer\b|basic\b)([^\s"',;]{8,})/gi;
const SECRET_PAIR = /\b([A-Za-z0-9_-]*(?:token|secret|password|passwd|api[-_]?key|private[-_]?key)[A-Za-z0-9_-]*)(["']?\s*[:=]\s*["']?)([A-Za-z0-9._~+/=:-]{8,})/gi;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const PREFIXED_CREDENTIAL = /\b(?:mwreg|mwsec)_[A-Za-z0-9_-]{16,}/g;
const MAX_DEPTH = 6;

export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name);
}

export function redactString(text: string, known?: KnownSecrets): string {
  const masked = text
    .replace(PEM_PRIVATE_KEY, REDACTED)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(AUTHORIZATION_VALUE, `$1${REDACTED}`)
    .replace(SECRET_PAIR, (whole, name: string, separator: string) => (LOCATION_NAME.test(name) ? whole : `${name}${separator}${REDACTED}`))
    .replace(PREFIXED_CREDENTIAL, REDACTED);
  return known ? known.mask(masked) : masked;
}

/** A redacted copy of `value` (the caller's objects are never modified). */
export function redactValue(value: unknown, known?: KnownSecrets, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value, known);
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (value instanceof Error) return { name: value.name, message: redactString(value.message, known) };
  if (Array.isArray(value)) return value.map((item) => redactValue(item, known, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) copy[key] = redactField(key, field, known, depth + 1);
  return copy;
}

function redactField(key: string, field: unknown, known: KnownSecrets | undefined, depth: number): unknown {
  if (isSensitiveName(key) && !LOCATION_NAME.test(key) && field !== undefined && field !== null) return REDACTED;
  return redactValue(field, known, depth);
}

/**
 * Redacts a winston info object in place. Only its own string keys are touched: winston keeps
 * level/message/splat under Symbol keys, which must survive unchanged.
 */
export function redactRecord<T extends Record<string, unknown>>(record: T, known?: KnownSecrets): T {
  for (const key of Object.keys(record)) {
    if (key === 'level') continue;
    (record as Record<string, unknown>)[key] = redactField(key, record[key], known, 0);
  }
  return record;
}

/** Shorter values are not masked: they would blank out ordinary words. */
const MIN_KNOWN_LENGTH = 8;

/** Secret values the daemon holds, masked wherever they appear in a log record. */
export class KnownSecrets {
  private readonly values = new Set<string>();

  add(...values: Array<string | null | undefined>): void {
    for (const value of values) if (typeof value === 'string' && value.length >= MIN_KNOWN_LENGTH) this.values.add(value);
  }

  mask(text: string): string {
    let masked = text;
    for (const value of this.values) if (masked.includes(value)) masked = masked.split(value).join(REDACTED);
    return masked;
  }
}
