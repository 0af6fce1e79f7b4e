import { parseWgDump } from './wg-dump';

describe('parseWgDump', () => {
  it('reads the peer lines of `wg show <if> dump` and skips the interface line', () => {
    const dump = [
      'cHJpdmF0ZS1rZXktbm90LWtlcHQtYnktdGhlLXBhcnNlcjA=\tcHVibGljMA==\t51820\toff',
      'cGVlcjEtcHVibGljLWtleS1mb3ItdGhlLXRlc3QtMDAwMDA=\t(none)\t192.0.2.2:51820\t198.51.100.1/32,fd00::1/128\t1700000000\t2000\t1000\t25',
      'cGVlcjItcHVibGljLWtleS1mb3ItdGhlLXRlc3QtMDAwMDA=\t(none)\t(none)\t(none)\t0\t0\t0\toff',
      '',
    ].join('\n');
    const peers = parseWgDump(dump);
    expect(peers).toEqual([
      {
        publicKey: 'cGVlcjEtcHVibGljLWtleS1mb3ItdGhlLXRlc3QtMDAwMDA=',
        endpoint: '192.0.2.2:51820',
        allowedIps: ['198.51.100.1/32', 'fd00::1/128'],
        lastHandshakeAt: new Date(1700000000 * 1000),
        rxBytes: 2000,
        txBytes: 1000,
        persistentKeepalive: 25,
      },
      {
        publicKey: 'cGVlcjItcHVibGljLWtleS1mb3ItdGhlLXRlc3QtMDAwMDA=',
        endpoint: null,
        allowedIps: [],
        lastHandshakeAt: null,
        rxBytes: 0,
        txBytes: 0,
        persistentKeepalive: 0,
      },
    ]);
    expect(JSON.stringify(peers)).not.toContain('cHJpdmF0ZS1rZXk');
  });

  it('fails on a line it does not understand instead of guessing', () => {
    expect(() => parseWgDump('interface line\npeer\tonly-two-fields')).toThrow(/2 fields, expected 8/);
  });
});
