import type { IncomingHttpHeaders } from 'node:http';
import { isRetryableStatus, parseErrorBody, parseJson, parseRegisterResponse, type RegisterResponse } from '@mcp-workstation/protocol';
import type { JsonResponse } from './json-request.js';
import { RegistrationError } from './registration-error.js';

/** What to do about each error code protocol.md §1 names. */
const FIXES: Record<string, string> = {
  invalid_token:
    'the registration token is missing, unknown or expired: create a new one on the gateway (mcp-workstation-gateway token create) and register again',
  token_used: 'a registration token is single use and this one has been used: create a new one on the gateway and register again',
  key_in_use: 'another agent already has this WireGuard public key: register again (every registration makes a fresh key pair)',
  invalid_request: 'correct the field the gateway names (for example --name or a server name) and register again; the token is still valid',
  unsupported_media_type: 'the gateway refused the JSON request: check that --gateway points at a gateway speaking protocol version 1',
  rate_limited: 'the gateway is limiting registrations: wait a few minutes and register again',
  unavailable: 'the gateway cannot register agents now (for example, it has no tunnel address left): ask its operator, then register again',
};

/** The longest piece of a gateway's error message that is repeated to the operator. */
const MAX_MESSAGE_CHARS = 500;

/** A `201 Created` body, validated; anything else there is final: the token is used up by now. */
export function registrationFromCreated(response: JsonResponse): RegisterResponse {
  const json = parseJson(response.body);
  const parsed = json.ok ? parseRegisterResponse(json.value) : json;
  if (parsed.ok) return parsed.value;
  throw new RegistrationError(
    'invalid_response',
    `the gateway answered 201 Created with an invalid registration (${parsed.reason})`,
    'the token is used up now: check that the gateway speaks protocol version 1, then create a new token and register again',
  );
}

/**
 * An answer other than 201 as an error naming the gateway's code and the fix. `redact` removes
 * the token should a gateway echo it back in its message.
 */
export function errorFromAnswer(response: JsonResponse, redact: (text: string) => string): RegistrationError {
  const { status } = response;
  const body = parseJson(response.body);
  const errorBody = body.ok ? parseErrorBody(body.value) : body;
  const code = errorBody.ok ? errorBody.value.error.code : `http_${status}`;
  const said = errorBody.ok ? `: ${redact(errorBody.value.error.message).slice(0, MAX_MESSAGE_CHARS)}` : '';
  const problem = `the gateway answered ${status} ${code}${said}`;
  return new RegistrationError(code, problem, FIXES[code] ?? fixForStatus(status, response.headers, redact), {
    status,
    retryable: isRetryableStatus(status),
    retryAfterMs: retryAfterMs(response.headers['retry-after']),
  });
}

function fixForStatus(status: number, headers: IncomingHttpHeaders, redact: (text: string) => string): string {
  if (status >= 300 && status < 400) {
    return `give the URL the gateway redirects to (${redact(headers.location ?? 'no Location given')}) as --gateway`;
  }
  if (status === 404 || status === 405) return 'check --gateway: that server has no /v1/agents/register endpoint';
  if (status >= 500) return 'the gateway failed: ask its operator to check its logs, then register again';
  return 'check --gateway and the gateway logs, then register again';
}

/** Retry-After in delay-seconds (what protocol.md uses) or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** TLS failures that retrying cannot cure: the operator has to name a CA or fix the URL. */
const TLS_FAILURES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** A failed exchange (no HTTP answer) as an error: a network error is retried, a certificate problem is not. */
export function errorFromNetworkFailure(err: unknown, endpoint: URL): RegistrationError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  const detail = `${code}: ${(err as Error).message}`;
  if (TLS_FAILURES.has(code)) {
    return new RegistrationError(
      'tls_error',
      `the TLS connection to ${endpoint.origin} failed (${detail})`,
      'if the gateway uses a private CA, give its certificate with --ca-file <pem>; check that --gateway names the host its certificate is for and the right scheme (https://)',
    );
  }
  return new RegistrationError(
    'network_error',
    `cannot reach the gateway at ${endpoint.origin} (${detail})`,
    'check --gateway and the network; the gateway must be running and reachable',
    { retryable: true },
  );
}
