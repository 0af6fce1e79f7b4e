/**
 * One line for a failed connection attempt, with the fix where there is an obvious one. ws
 * errors carry Node's codes (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT, …) and never the
 * request headers, so the agentSecret cannot end up in this text.
 */
export function describeSocketError(err: Error, origin: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  const detail = code ? `${code}: ${err.message}` : err.message;
  if (code !== undefined && isTlsFailure(code)) {
    return `the TLS connection to ${origin} failed (${detail}); if the gateway uses a private CA, give its certificate with --ca-file <pem>`;
  }
  return `cannot reach the gateway's control channel at ${origin} (${detail})`;
}

function isTlsFailure(code: string): boolean {
  return /CERT|SELF_SIGNED|^ERR_TLS|^ERR_SSL|HOSTNAME_MISMATCH/.test(code);
}
