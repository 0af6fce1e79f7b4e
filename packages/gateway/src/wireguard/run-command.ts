import { spawn } from 'node:child_process';

/** Where the gateway's interface lives: the current network namespace, or a named one (`ip netns`). */
export interface NamespaceOption {
  netns?: string;
}

/** argv run inside `netns` when one is named: `ip netns exec` execs the program, so its pid stays the program's. */
export function inNamespace(argv: string[], { netns }: NamespaceOption): string[] {
  return netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv;
}

/** `ip` with `-n <netns>` when one is named. */
export function ipArgv(args: string[], { netns }: NamespaceOption): string[] {
  return netns ? ['ip', '-n', netns, ...args] : ['ip', ...args];
}

export class CommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly code: number | string | null,
    readonly stderr: string,
  ) {
    super(`\`${argv.join(' ')}\` failed (${code}): ${stderr.trim() || 'no output'}`);
    this.name = 'CommandError';
  }
}

/** Runs a short command (never with a secret in argv) and resolves with its stdout; fails with its stderr. */
export function runCommand(argv: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (err: NodeJS.ErrnoException) => reject(new CommandError(argv, err.code ?? 'error', err.message)));
    child.on('close', (code, signal) => (code === 0 ? resolve(stdout) : reject(new CommandError(argv, code ?? signal, stderr))));
  });
}
