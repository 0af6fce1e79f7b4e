import { InterfaceNetwork, networkSettings } from './interface-network';
import { CommandError } from '@mcp-workstation/wireguard';
import { commandLines, recordingRunner, sampleConfig } from './test-support/fixtures';

// Command construction only: the commands themselves run for real in
// test/e2e/wireguard-backend.test.ts, inside a network namespace.

describe('InterfaceNetwork.apply', () => {
  it('sets address, MTU, link up and a route per allowed IP on a fresh interface', async () => {
    const run = recordingRunner();
    const config = sampleConfig();
    config.peer.allowedIps = ['198.51.100.1/32', '203.0.113.9/24', 'fd00::1/128'];
    await new InterfaceNetwork(run).apply(null, networkSettings(config));
    expect(commandLines(run.commands)).toEqual([
      'ip address replace 198.51.100.7/32 dev mcpw0',
      'ip link set dev mcpw0 mtu 1420 up',
      'ip route replace 198.51.100.1/32 dev mcpw0',
      'ip route replace 203.0.113.0/24 dev mcpw0',
      'ip route replace fd00:0:0:0:0:0:0:1/128 dev mcpw0',
    ]);
  });

  it('adds an IPv6 address without duplicate address detection, so it can be bound at once', async () => {
    const run = recordingRunner();
    await new InterfaceNetwork(run).apply(null, networkSettings(sampleConfig({ address: 'fd00::7/128', mtu: 1420 })));
    expect(commandLines(run.commands)[0]).toBe('ip address replace fd00::7/128 dev mcpw0 nodad');
  });

  it('runs nothing when nothing iproute2 sets changed', async () => {
    const run = recordingRunner();
    const config = sampleConfig();
    await new InterfaceNetwork(run).apply(networkSettings(config), networkSettings({ ...config, peer: { ...config.peer, persistentKeepalive: 5 } }));
    expect(run.commands).toEqual([]);
  });

  it('changes only what changed on a live apply', async () => {
    const previous = sampleConfig();
    const next = { ...previous, address: '198.51.100.8/32', mtu: 1380, peer: { ...previous.peer, allowedIps: ['198.51.100.2/32'] } };
    const run = recordingRunner();
    await new InterfaceNetwork(run).apply(networkSettings(previous), networkSettings(next));
    expect(commandLines(run.commands)).toEqual([
      'ip address replace 198.51.100.8/32 dev mcpw0',
      'ip address del 198.51.100.7/32 dev mcpw0',
      'ip link set dev mcpw0 mtu 1380 up',
      'ip route replace 198.51.100.2/32 dev mcpw0',
      'ip route del 198.51.100.1/32 dev mcpw0',
    ]);
  });

  it('tolerates an old route or address that is already gone', async () => {
    const previous = sampleConfig();
    const next = { ...previous, address: '198.51.100.8/32', peer: { ...previous.peer, allowedIps: ['198.51.100.2/32'] } };
    const run = recordingRunner(({ args }) => {
      if (args[1] === 'del' && args[0] === 'route') return new CommandError('ip', args, 2, 'RTNETLINK answers: No such process\n');
      if (args[1] === 'del') return new CommandError('ip', args, 2, 'RTNETLINK answers: Cannot assign requested address\n');
      return {};
    });
    await expect(new InterfaceNetwork(run).apply(networkSettings(previous), networkSettings(next))).resolves.toBeUndefined();
  });

  it('passes other failures on with the tool’s own words', async () => {
    const run = recordingRunner(({ args }) => (args[0] === 'link' ? new CommandError('ip', args, 2, 'Error: mtu greater than device maximum.\n') : {}));
    await expect(new InterfaceNetwork(run).apply(null, networkSettings(sampleConfig()))).rejects.toThrow(
      '`ip link set dev mcpw0 mtu 1420 up` failed (2): Error: mtu greater than device maximum.',
    );
  });
});
