import { CommandError, generateKeyPair, type CommandResult, type CommandRunner } from '@mcp-workstation/wireguard';
import type { WireGuardConfig } from '../types';

/** A valid config with fresh keys; only TEST-NET addresses. */
export function sampleConfig(overrides: Partial<WireGuardConfig> = {}): WireGuardConfig {
  return {
    interfaceName: 'mcpw0',
    privateKey: generateKeyPair().privateKey,
    address: '198.51.100.7/32',
    mtu: 1420,
    peer: {
      publicKey: generateKeyPair().publicKey,
      endpoint: '192.0.2.2:51820',
      allowedIps: ['198.51.100.1/32'],
      persistentKeepalive: 25,
    },
    ...overrides,
  };
}

export interface RecordedCommand {
  file: string;
  args: string[];
}

/**
 * A CommandRunner that records what would run and answers from `respond` (default: success
 * with no output). For checking command construction where the real tools cannot run.
 */
export function recordingRunner(
  respond: (command: RecordedCommand) => Partial<CommandResult> | CommandError | Promise<Partial<CommandResult> | CommandError> = () => ({}),
): CommandRunner & { commands: RecordedCommand[] } {
  const commands: RecordedCommand[] = [];
  const runner = async (file: string, args: readonly string[]): Promise<CommandResult> => {
    const command = { file, args: [...args] };
    commands.push(command);
    const answer = await respond(command);
    if (answer instanceof CommandError) throw answer;
    return { stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' };
  };
  return Object.assign(runner, { commands });
}

/** Commands as shell-like lines, for readable expectations. */
export function commandLines(commands: RecordedCommand[]): string[] {
  return commands.map((command) => [command.file, ...command.args].join(' '));
}
