import { handshakeTime } from './peer-statistics.js';
import type { DevicePeer } from './types.js';

/**
 * Parses `wg show <ifname> dump`: the first line is the interface (its private key is
 * skipped, never kept), then one tab-separated line per peer: public key, preshared key,
 * endpoint, allowed IPs, latest handshake (epoch seconds, 0 = never), rx bytes, tx bytes,
 * persistent keepalive ("off" or seconds).
 */
export function parseWgDump(text: string): DevicePeer[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.slice(1).map((line, index) => {
    const fields = line.split('\t');
    if (fields.length < 8) throw new Error(`unexpected \`wg show dump\` output on peer line ${index + 1}: ${fields.length} fields, expected 8`);
    const [publicKey = '', , endpoint = '', allowedIps = '', handshake = '0', rx = '0', tx = '0', keepalive = 'off'] = fields;
    return {
      publicKey,
      endpoint: endpoint === '(none)' ? null : endpoint,
      allowedIps: allowedIps === '(none)' ? [] : allowedIps.split(','),
      lastHandshakeAt: handshakeTime(Number(handshake)),
      rxBytes: Number(rx),
      txBytes: Number(tx),
      persistentKeepalive: keepalive === 'off' ? 0 : Number(keepalive),
    };
  });
}
