import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { buildChildEnv } from './child-env.js';
import * as errors from './errors.js';
import { DEFAULT_SEARCH_PATH, findNonExecutableOnPath, findOnPath, isExecutableFile } from './find-on-path.js';
import type { ServerCommand } from './types.js';

/** Everything spawn() needs, checked before spawning. */
export interface LaunchPlan {
  ok: true;
  /** Absolute path of the program (or /bin/sh with `shell`). */
  file: string;
  args: string[];
  /** argv[0] as the user wrote it: some programs look at their own name. */
  argv0: string;
  env: NodeJS.ProcessEnv;
  cwd: string | undefined;
  viaShell: boolean;
  command: string;
}

export interface LaunchProblem {
  ok: false;
  reason: string;
}

const SHELL = '/bin/sh';

/**
 * Resolves the command against the child's own PATH (its env override included) and
 * checks the cwd before spawning. Node's spawn error is only `spawn uvx ENOENT`, the
 * same for a missing program and a missing cwd; checking first lets the error say exactly
 * which one, which PATH was searched, and how to fix it.
 */
export function planLaunch(server: string, command: ServerCommand): LaunchPlan | LaunchProblem {
  const env = buildChildEnv(command.env);
  const cwd = command.cwd === undefined ? undefined : path.resolve(command.cwd);
  const cwdProblem = cwd === undefined ? null : checkCwd(server, cwd);
  if (cwdProblem) return { ok: false, reason: cwdProblem };
  if (command.command.trim() === '') return { ok: false, reason: errors.emptyCommand(server) };
  const base = { ok: true as const, env, cwd, command: command.command };
  if (command.shell) {
    return { ...base, file: SHELL, argv0: SHELL, args: shellArgs(server, command), viaShell: true };
  }
  const resolved = resolveProgram(server, command.command, env, cwd ?? process.cwd(), command.env);
  if (!resolved.ok) return resolved;
  return { ...base, file: resolved.file, argv0: command.command, args: command.args, viaShell: false };
}

/**
 * `sh -c '<command> "$@"' <server> args…`: the args reach the command as positional
 * parameters, so they need no quoting and cannot be reinterpreted by the shell.
 */
function shellArgs(server: string, command: ServerCommand): string[] {
  if (command.args.length === 0) return ['-c', command.command];
  return ['-c', `${command.command} "$@"`, server, ...command.args];
}

function checkCwd(server: string, cwd: string): string | null {
  const stats = statOrNull(cwd);
  if (!stats) return errors.cwdMissing(server, cwd);
  return stats.isDirectory() ? null : errors.cwdNotDirectory(server, cwd);
}

function resolveProgram(
  server: string,
  command: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  overrides: ServerCommand['env'],
): { ok: true; file: string } | LaunchProblem {
  if (command.includes('/')) return checkProgramPath(server, command, path.resolve(cwd, command));
  const searchedPath = env.PATH ?? DEFAULT_SEARCH_PATH;
  const file = findOnPath(command, searchedPath);
  if (file) return { ok: true, file };
  const notExecutable = findNonExecutableOnPath(command, searchedPath);
  if (notExecutable) return { ok: false, reason: errors.notExecutable(server, notExecutable) };
  const source = overrides && 'PATH' in overrides ? 'server env' : 'daemon environment';
  return { ok: false, reason: errors.commandNotFoundOnPath(server, command, searchedPath, source) };
}

function checkProgramPath(server: string, command: string, file: string): { ok: true; file: string } | LaunchProblem {
  const stats = statOrNull(file);
  if (!stats) return { ok: false, reason: errors.commandPathMissing(server, command, file) };
  if (stats.isDirectory()) return { ok: false, reason: errors.isDirectory(server, file) };
  if (!isExecutableFile(file)) return { ok: false, reason: errors.notExecutable(server, file) };
  return { ok: true, file };
}

/** The same sentences for errors that spawn itself reports (a file removed after the check). */
export function describeSpawnError(server: string, plan: LaunchPlan, error: NodeJS.ErrnoException): string {
  if (error.code === 'EACCES') return errors.notExecutable(server, plan.file);
  if (error.code === 'ENOENT' && plan.cwd && !statOrNull(plan.cwd)) return errors.cwdMissing(server, plan.cwd);
  if (error.code === 'ENOENT') return errors.commandPathMissing(server, plan.command, plan.file);
  return errors.spawnFailed(server, plan.command, error);
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

/**
 * null when `command` can be spawned as configured, else the sentence status().lastError
 * would carry: for a command line that wants to fail fast before anything listens.
 */
export function checkServerCommand(server: string, command: ServerCommand): string | null {
  const plan = planLaunch(server, command);
  return plan.ok ? null : plan.reason;
}
