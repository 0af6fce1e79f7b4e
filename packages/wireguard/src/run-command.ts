import { execFile } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  timeoutMs?: number;
}

/** Runs a tool (ip, wg): argv only, never a shell. A seam so unit tests can record commands. */
export type CommandRunner = (file: string, args: readonly string[], options?: CommandOptions) => Promise<CommandResult>;

/** A tool that exited non-zero; `stderr` is the tool's own explanation. */
export class CommandError extends Error {
  constructor(
    readonly file: string,
    readonly args: readonly string[],
    readonly exitCode: number | string | null,
    readonly stderr: string,
  ) {
    super(`\`${[file, ...args].join(' ')}\` failed (${exitCode ?? 'no exit code'}): ${stderr.trim() || 'no error output'}`);
    this.name = 'CommandError';
  }
}

const DEFAULT_TIMEOUT_MS = 15_000;

export const runCommand: CommandRunner = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const exitCode = typeof error.code === 'number' || typeof error.code === 'string' ? error.code : (error.signal ?? null);
        reject(new CommandError(file, args, exitCode, stderr || error.message));
      },
    );
  });

/** Where an interface lives: the current network namespace, or a named one (`ip netns`). */
export interface NamespaceOption {
  netns?: string;
}

/** argv run inside `netns` when one is named: `ip netns exec` execs the program, so its pid stays the program's. */
export function inNamespace(argv: readonly string[], { netns }: NamespaceOption): string[] {
  return netns ? ['ip', 'netns', 'exec', netns, ...argv] : [...argv];
}
