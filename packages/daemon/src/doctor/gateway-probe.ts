import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * One HTTP request to the gateway: any answer means it is reachable (its TLS accepted with the
 * configured CA), and its Date header gives the clock difference. The difference is measured
 * against the middle of the request, so a slow network does not read as skew.
 */

export type GatewayProbe =
  | { kind: 'answered'; status: number; skewSeconds: number | null }
  | { kind: 'unreachable'; reason: string; fix: string };

const TIMEOUT_MS = 5_000;

export function probeGateway(gatewayUrl: string, caFile: string | null, timeoutMs = TIMEOUT_MS): Promise<GatewayProbe> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(gatewayUrl);
    } catch {
      return resolve({ kind: 'unreachable', reason: 'the registration holds a gateway URL that does not parse', fix: 'register again' });
    }
    let ca: Buffer | undefined;
    try {
      ca = caFile ? readFileSync(caFile) : undefined;
    } catch (error) {
      return resolve({ kind: 'unreachable', reason: `the CA file ${caFile} cannot be read (${(error as NodeJS.ErrnoException).code})`, fix: 'correct tunnel.caFile (--ca-file)' });
    }
    const sentAt = Date.now();
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(url, { method: 'GET', timeout: timeoutMs, ...(ca ? { ca } : {}) }, (res) => {
      res.resume();
      const date = Date.parse(res.headers.date ?? '');
      const middle = (sentAt + Date.now()) / 2;
      resolve({ kind: 'answered', status: res.statusCode ?? 0, skewSeconds: Number.isNaN(date) ? null : (middle - date) / 1000 });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'unreachable', reason: error.message, fix: fixFor(error) }));
    req.end();
  });
}

function fixFor(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return "check DNS: the gateway's host name does not resolve from here";
    case 'ECONNREFUSED':
      return 'the gateway is not listening there: is it running, and is the port right?';
    case 'ETIMEDOUT':
      return 'a firewall or proxy may be in the way: check that this machine can reach the gateway';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return "the gateway's certificate is not trusted here: give its CA with --ca-file (tunnel.caFile)";
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return "the certificate's dates do not match this machine's clock: check the clock, then the certificate";
    default:
      return 'check the network between this machine and the gateway';
  }
}
