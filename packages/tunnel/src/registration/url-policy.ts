import { BlockList, isIP } from 'node:net';
import { RegistrationError } from './registration-error.js';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** localhost, 127.0.0.0/8 or ::1 (an IPv4-mapped ::ffff:127.x too). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost') return true;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

interface UrlRule {
  what: string;
  secureScheme: 'https:' | 'wss:';
  plainScheme: 'http:' | 'ws:';
  /** What to do instead of plain text, besides --allow-http. */
  secureFix: string;
}

const GATEWAY_RULE: UrlRule = {
  what: 'the gateway URL',
  secureScheme: 'https:',
  plainScheme: 'http:',
  secureFix: 'use an https:// gateway URL',
};

const CONTROL_RULE: UrlRule = {
  what: 'the control URL the gateway returned',
  secureScheme: 'wss:',
  plainScheme: 'ws:',
  secureFix: 'configure the gateway to hand out wss:// control URLs, then register again with a new token',
};

/** The gateway URL, checked: https, or http only to a loopback host or with --allow-http (protocol.md §0). */
export function checkGatewayUrl(raw: string, allowHttp: boolean): URL {
  return checkUrl(raw, allowHttp, GATEWAY_RULE);
}

/** The control channel URL, checked like the gateway URL: wss, or ws only to loopback or with --allow-http. */
export function checkControlUrl(raw: string, allowHttp: boolean): URL {
  return checkUrl(raw, allowHttp, CONTROL_RULE);
}

function checkUrl(raw: string, allowHttp: boolean, rule: UrlRule): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RegistrationError('invalid_url', `${rule.what} "${raw}" is not a URL`, `${rule.secureFix}, such as ${rule.secureScheme}//gw.example.com`);
  }
  if (url.username !== '' || url.password !== '') {
    // Credentials in a URL end up in logs; the agent authenticates with headers only.
    throw new RegistrationError('invalid_url', `${rule.what} contains a user name or password`, 'remove the user:password@ part of the URL');
  }
  if (url.protocol === rule.secureScheme) return url;
  if (url.protocol !== rule.plainScheme) {
    throw new RegistrationError('invalid_url', `${rule.what} ${url.href} is not a ${rule.secureScheme}// URL`, rule.secureFix);
  }
  if (allowHttp || isLoopbackHost(url.hostname)) return url;
  throw new RegistrationError(
    'insecure_url',
    `${rule.what} ${url.href} is unencrypted (${rule.plainScheme}//) to a host that is not loopback, so secrets would cross the network in clear`,
    `${rule.secureFix}, or pass --allow-http if you trust this network`,
  );
}
