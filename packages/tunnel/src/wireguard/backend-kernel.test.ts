import { readFileSync, statSync } from 'node:fs';
import { CommandError, KernelModuleMissingError } from '@mcp-workstation/wireguard';
import { KernelBackend } from './backend-kernel';
import { commandLines, recordingRunner, sampleConfig, type RecordedCommand } from './test-support/fixtures';
import type { BackendStatus } from './types';

// This machine's kernel has no WireGuard module, so the kernel backend cannot run here for
// real: these tests check the commands it builds and how it fails. (`wg set` and
// `wg show dump` themselves run against wireguard-go in test/e2e/wireguard-backend.test.ts.)

const noPrerequisites = async (): Promise<void> => undefined;

/** What `ip link add … type wireguard` prints on this machine's kernel (captured here). */
const UNKNOWN_DEVICE_TYPE = 'Error: Unknown device type.\n';

function backendWith(respond?: Parameters<typeof recordingRunner>[0]): { backend: KernelBackend; commands: RecordedCommand[]; keyFiles: Array<{ path: string; content: string; mode: number }> } {
  const keyFiles: Array<{ path: string; content: string; mode: number }> = [];
  const run = recordingRunner((command) => {
    const keyIndex = command.args.indexOf('private-key');
    if (command.file === 'wg' && keyIndex >= 0) {
      const path = command.args[keyIndex + 1] as string;
      keyFiles.push({ path, content: readFileSync(path, 'utf8'), mode: statSync(path).mode & 0o777 });
    }
    return respond ? respond(command) : {};
  });
  return { backend: new KernelBackend({ runCommand: run, checkPrerequisites: noPrerequisites }), commands: run.commands, keyFiles };
}

describe('KernelBackend', () => {
  it('creates the interface, writes the key through a 0600 file and the peer with wg, then addresses and routes', async () => {
    const { backend, commands, keyFiles } = backendWith();
    const config = sampleConfig();
    await backend.up(config);
    const lines = commandLines(commands);
    expect(lines).toEqual([
      'ip link add dev mcpw0 type wireguard',
      `wg set mcpw0 listen-port 0 private-key ${keyFiles[0]?.path} peer ${config.peer.publicKey} endpoint 192.0.2.2:51820 persistent-keepalive 25 allowed-ips 198.51.100.1/32`,
      'ip address replace 198.51.100.7/32 dev mcpw0',
      'ip link set dev mcpw0 mtu 1420 up',
      'ip route replace 198.51.100.1/32 dev mcpw0',
    ]);
    expect(lines.join('\n')).not.toContain(config.privateKey);
    expect(keyFiles).toEqual([{ path: expect.any(String), content: `${config.privateKey}\n`, mode: 0o600 }]);
    expect(() => statSync(keyFiles[0]!.path)).toThrow(/ENOENT/);
    expect(backend.status()).toEqual({ kind: 'kernel', state: 'up', reason: 'mcpw0 is up with 198.51.100.7/32' });
  });

  it('explains a kernel without the WireGuard module, leaves nothing behind, and can be taken down after', async () => {
    const { backend, commands } = backendWith(({ file, args }) =>
      file === 'ip' && args[1] === 'add' ? new CommandError(file, args, 2, UNKNOWN_DEVICE_TYPE) : {},
    );
    const statuses: BackendStatus[] = [];
    backend.onStatus((status) => statuses.push(status));
    const failure = await backend.up(sampleConfig()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KernelModuleMissingError);
    expect((failure as Error).message).toContain('this kernel has no WireGuard module (Error: Unknown device type.)');
    expect((failure as Error).message).toContain('sudo modprobe wireguard');
    expect((failure as Error).message).toContain('use the wireguard-go backend');
    expect(statuses.map((status) => status.state)).toEqual(['starting', 'failed']);
    // It created nothing, so it deletes nothing (the name may be someone else's).
    expect(commandLines(commands)).toEqual(['ip link add dev mcpw0 type wireguard']);
    await backend.down();
    expect(commandLines(commands)).toHaveLength(1);
    expect(backend.status().state).toBe('down');
  });

  it('removes the interface it created when a later step fails', async () => {
    const { backend, commands } = backendWith(({ file, args }) => (file === 'wg' ? new CommandError(file, args, 1, 'Unable to modify interface: Invalid argument\n') : {}));
    await expect(backend.up(sampleConfig())).rejects.toThrow(/Unable to modify interface/);
    expect(commandLines(commands).at(-1)).toBe('ip link del dev mcpw0');
    expect(backend.status().state).toBe('failed');
  });

  it('applies keepalive, endpoint and MTU live with the fewest commands', async () => {
    const { backend, commands } = backendWith();
    const config = sampleConfig();
    await backend.up(config);
    commands.length = 0;
    await backend.apply({ ...config, mtu: 1380, peer: { ...config.peer, endpoint: '192.0.2.3:51821', persistentKeepalive: 10 } });
    expect(commandLines(commands)).toEqual([
      `wg set mcpw0 peer ${config.peer.publicKey} endpoint 192.0.2.3:51821 persistent-keepalive 10`,
      'ip link set dev mcpw0 mtu 1380 up',
    ]);
  });

  it('reads the peer statistics from `wg show dump`', async () => {
    const config = sampleConfig();
    const dump = `private\tpublic\t51820\toff\n${config.peer.publicKey}\t(none)\t192.0.2.2:51820\t198.51.100.1/32\t1700000000\t300\t400\t25\n`;
    const { backend } = backendWith(({ file, args }) => (file === 'wg' && args[0] === 'show' ? { stdout: dump } : {}));
    await backend.up(config);
    await expect(backend.statistics()).resolves.toEqual({
      lastHandshakeAt: new Date(1700000000 * 1000),
      rxBytes: 300,
      txBytes: 400,
      endpoint: '192.0.2.2:51820',
    });
  });

  it('deletes the interface on down(), once', async () => {
    const { backend, commands } = backendWith();
    await backend.up(sampleConfig());
    commands.length = 0;
    await backend.down();
    await backend.down();
    expect(commandLines(commands)).toEqual(['ip link del dev mcpw0']);
    await expect(backend.statistics()).rejects.toThrow('cannot read statistics: the WireGuard interface is not up (call up() first)');
  });

  it('refuses a second up(), a config it cannot use, and a live rename', async () => {
    const { backend } = backendWith();
    await expect(backend.up(sampleConfig({ mtu: 10 }))).rejects.toThrow(/invalid WireGuard configuration: mtu 10 is out of range/);
    const config = sampleConfig();
    await backend.up(config);
    await expect(backend.up(config)).rejects.toThrow('WireGuard interface mcpw0 is already up: use apply() to change it, or down() first');
    await expect(backend.apply({ ...config, interfaceName: 'mcpw1' })).rejects.toThrow(/cannot change live \(mcpw0 → mcpw1\)/);
  });
});
