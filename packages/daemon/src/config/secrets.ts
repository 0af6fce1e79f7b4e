import { isSensitiveName } from '../logging/redact.js';

/**
 * What counts as a secret in the configuration. The names are the log redactor's (apiKey,
 * token, secret, password, privateKey, authorization, cookie), so a value hidden from the
 * logs is hidden from `config print` too. A name that ends in File, Path or Dir holds where a
 * secret is, not the secret (security.apiKeyFile, TOKEN_FILE): showing it helps and leaks nothing.
 */

export const REDACTED = '<redacted>';

const LOCATION_SUFFIX = /(file|path|dir)$/i;

/** `key` is a dotted config key or an environment variable name; its last segment decides. */
export function isSecretKey(key: string): boolean {
  const name = key.slice(key.lastIndexOf('.') + 1);
  return isSensitiveName(name) && !LOCATION_SUFFIX.test(name);
}

const FLAG_WITH_VALUE = /^--?([A-Za-z0-9][A-Za-z0-9_-]*)=/;
const FLAG_ALONE = /^--?([A-Za-z0-9][A-Za-z0-9_-]*)$/;

/** A copy of `args` with the values of secret-looking flags (`--token x`, `--api-key=x`) replaced. */
export function redactArguments(args: readonly string[]): string[] {
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    const withValue = FLAG_WITH_VALUE.exec(out[i]);
    if (withValue && isSecretKey(withValue[1])) {
      out[i] = `${withValue[0]}${REDACTED}`;
      continue;
    }
    const alone = FLAG_ALONE.exec(out[i]);
    if (alone && isSecretKey(alone[1]) && i + 1 < out.length && !out[i + 1].startsWith('-')) {
      out[++i] = REDACTED;
    }
  }
  return out;
}

export function hasSecretArgument(args: readonly string[]): boolean {
  return redactArguments(args).some((arg, index) => arg !== args[index]);
}

/** `value` as it may be shown under `key`: a secret key's value, a secret flag's argument and a secret variable's value hidden. */
export function redactForDisplay(key: string, value: unknown): unknown {
  if (isSecretKey(key)) return value === null || value === undefined || value === '' ? value : REDACTED;
  if (Array.isArray(value)) return value.every((item) => typeof item === 'string') ? redactArguments(value) : value;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, redactForDisplay(name, item)]));
  }
  return value;
}
