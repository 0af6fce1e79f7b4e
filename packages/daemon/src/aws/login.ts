import { spawn, type StdioOptions } from 'node:child_process';
import { findOnPath } from '@mcp-workstation/supervisor';
import { UserError } from '../errors.js';
import { awsPaths } from './aws-paths.js';
import { DEFAULT_PROFILE, readProfile, refreshCommand } from './aws-profiles.js';
import { loadNodePty, type PtyLoad, type PtyModule } from './pty.js';

/**
 * `mcp-workstation login aws`: runs the refresh command (`aws login`, or `aws sso login
 * --profile P` for an IAM Identity Center profile) in a real terminal through node-pty, so
 * the CLI's prompts, its device-code text and its "open the browser" step behave as they do
 * in a shell. Without node-pty the command still runs, on this process's own stdio.
 */

export interface LoginTerminal {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number; on(event: 'resize', listener: () => void): unknown; off(event: 'resize', listener: () => void): unknown };
}

export interface RunLoginOptions {
  /** The profile to refresh. Default the environment's AWS_PROFILE, else "default". */
  profile?: string;
  /** The configured refresh command (argv); default the one the profile calls for. */
  command?: string[];
  /** The environment the command runs in (the server's: its HOME and AWS_* decide which files it writes). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  terminal?: LoginTerminal;
  /** How node-pty is loaded (tests pass one that says it is missing). */
  loadPty?: () => PtyLoad;
  /** stdio of the fallback without node-pty. Default inherit. */
  fallbackStdio?: StdioOptions;
}

export interface LoginOutcome {
  command: string[];
  exitCode: number;
  via: 'pty' | 'inherited-stdio';
  /** Why the fallback was used, for the person. */
  note?: string;
}

export function loginCommand(options: Pick<RunLoginOptions, 'profile' | 'command' | 'env'>): string[] {
  if (options.command && options.command.length > 0) return options.command;
  const env = options.env ?? process.env;
  const profile = options.profile ?? env.AWS_PROFILE ?? DEFAULT_PROFILE;
  return refreshCommand(profile, readProfile(awsPaths(env), profile));
}

export async function runLogin(options: RunLoginOptions = {}): Promise<LoginOutcome> {
  const env = options.env ?? process.env;
  const command = loginCommand({ ...options, env });
  const executable = findOnPath(command[0], env.PATH ?? '');
  if (!executable) {
    throw new UserError(
      `${command[0]} is not on the PATH (${env.PATH ?? ''}), so \`${command.join(' ')}\` cannot run. ` +
        'Fix: install AWS CLI v2 (2.32.0 or later): https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html',
    );
  }
  const loaded = (options.loadPty ?? loadNodePty)();
  const cwd = options.cwd ?? process.cwd();
  if (loaded.ok) {
    const exitCode = await runInPty(loaded.pty, executable, command.slice(1), { env, cwd, terminal: options.terminal ?? processTerminal() });
    return { command, exitCode, via: 'pty' };
  }
  const note =
    `${loaded.reason} (it is an optional dependency that needs a C++ toolchain to build): running \`${command.join(' ')}\` ` +
    "on this terminal's own input and output instead; its prompts work when you run this in a terminal. To get node-pty: npm install node-pty.";
  const exitCode = await runInherited(executable, command.slice(1), { env, cwd, stdio: options.fallbackStdio ?? 'inherit' });
  return { command, exitCode, via: 'inherited-stdio', note };
}

interface PtyRun {
  env: NodeJS.ProcessEnv;
  cwd: string;
  terminal: LoginTerminal;
}

/** The command on a pseudo-terminal, with this terminal's keystrokes, size and output passed through. */
function runInPty(pty: PtyModule, file: string, args: string[], { env, cwd, terminal }: PtyRun): Promise<number> {
  const { stdin, stdout } = terminal;
  const child = pty.spawn(file, args, { name: env.TERM ?? 'xterm-256color', cols: stdout.columns ?? 80, rows: stdout.rows ?? 24, cwd, env });
  // Raw mode: every key goes to the CLI as typed (its prompts do their own echo and editing).
  const wasRaw = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  if (wasRaw) stdin.setRawMode?.(true);
  const onInput = (data: Buffer | string): void => child.write(data);
  const onResize = (): void => child.resize(stdout.columns ?? 80, stdout.rows ?? 24);
  stdin.on('data', onInput);
  stdin.resume();
  stdout.on('resize', onResize);
  const output = child.onData((data) => stdout.write(data));
  return new Promise((resolve) => {
    const exit = child.onExit(({ exitCode }) => {
      output.dispose();
      exit.dispose();
      stdin.off('data', onInput);
      stdin.pause();
      stdout.off('resize', onResize);
      if (wasRaw) stdin.setRawMode?.(false);
      resolve(exitCode);
    });
  });
}

function runInherited(file: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; stdio: StdioOptions }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env, cwd: options.cwd, stdio: options.stdio });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function processTerminal(): LoginTerminal {
  return { stdin: process.stdin, stdout: process.stdout };
}
