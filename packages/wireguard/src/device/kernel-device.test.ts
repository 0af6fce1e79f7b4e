import { generateKeyPair } from '../keys';
import { CommandError, type CommandResult, type CommandRunner } from '../run-command';
import { KernelDevice, KernelModuleMissingError } from './kernel-device';

// Command construction only: this machine's kernel has no WireGuard module. The tunnel's
// kernel backend tests check the whole sequence; `wg set` and `wg show dump` themselves run
// against wireguard-go in test/e2e/wireguard-backend.test.ts.

/** Records `file args…` lines and answers from `respond` (default: success, no output). */
function recorder(respond: (line: string) => Partial<CommandResult> | CommandError = () => ({})): CommandRunner & { lines: string[] } {
  const lines: string[] = [];
  const run: CommandRunner = async (file, args) => {
    const line = [file, ...args].join(' ');
    lines.push(line);
    const answer = respond(line);
    if (answer instanceof CommandError) throw answer;
    return { stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' };
  };
  return Object.assign(run, { lines });
}

const missing = (line: string): CommandError => new CommandError('ip', line.split(' ').slice(1), 1, 'Cannot find device "mcpw0"\n');

describe('KernelDevice', () => {
  it('deletes a link, and a missing one is fine', async () => {
    const gone = recorder((line) => (line.includes(' del ') ? missing(line) : {}));
    await expect((await KernelDevice.create('mcpw0', { runCommand: gone })).close()).resolves.toBeUndefined();
    const run = recorder();
    await (await KernelDevice.create('mcpw0', { runCommand: run, ipPath: '/sbin/ip' })).close();
    expect(run.lines).toEqual(['/sbin/ip link add dev mcpw0 type wireguard', '/sbin/ip link del dev mcpw0']);
  });

  it('closes once', async () => {
    const run = recorder();
    const device = await KernelDevice.create('mcpw0', { runCommand: run });
    await device.close();
    await device.close();
    expect(run.lines.filter((line) => line.includes(' del '))).toHaveLength(1);
  });

  it('explains a kernel without the module', async () => {
    const run = recorder((line) => new CommandError('ip', line.split(' ').slice(1), 2, 'Error: Unknown device type.\n'));
    await expect(KernelDevice.create('mcpw0', { runCommand: run })).rejects.toBeInstanceOf(KernelModuleMissingError);
  });

  it('replaces the peers of a configured interface by removing those the change does not name', async () => {
    const [old, kept] = [generateKeyPair().publicKey, generateKeyPair().publicKey];
    const dump = `private\tpublic\t51820\toff\n${old}\t(none)\t(none)\t198.51.100.2/32\t0\t0\t0\toff\n${kept}\t(none)\t(none)\t198.51.100.3/32\t0\t0\t0\toff\n`;
    const run = recorder((line) => (line.startsWith('wg show') ? { stdout: dump } : {}));
    const device = await KernelDevice.create('mcpw0', { runCommand: run });
    await device.configure({ replacePeers: true, peers: [{ publicKey: kept, allowedIps: ['198.51.100.3/32'] }] });
    await device.configure({ replacePeers: true, peers: [{ publicKey: kept, allowedIps: ['198.51.100.3/32'] }] });
    expect(run.lines.slice(1)).toEqual([
      // Fresh: nothing to remove, no dump read.
      `wg set mcpw0 peer ${kept} allowed-ips 198.51.100.3/32`,
      'wg show mcpw0 dump',
      `wg set mcpw0 peer ${old} remove peer ${kept} allowed-ips 198.51.100.3/32`,
    ]);
  });
});
