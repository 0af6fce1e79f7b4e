/**
 * Sentences for a person: each names the server, what happened and, where known, the fix.
 * They end up in ExitInfo.reason, status().lastError and the log.
 */

const FIND_IT = (command: string) => `run \`command -v ${command}\` in your own shell to find it`;

export function emptyCommand(server: string): string {
  return `Server "${server}" has an empty command. Fix: set the program to run in the server's config.`;
}

export function commandNotFoundOnPath(
  server: string,
  command: string,
  searchedPath: string,
  pathSource: 'server env' | 'daemon environment',
): string {
  return (
    `Server "${server}": command "${command}" was not found on PATH ` +
    `(searched ${searchedPath || '(empty)'}, from the ${pathSource}). ` +
    `Services and daemons usually start with a shorter PATH than your shell (this is how ` +
    `"spawn ${command} ENOENT" happens). Fix: give the absolute path of the command ` +
    `(${FIND_IT(command)}), or set PATH in this server's env in the config.`
  );
}

export function commandPathMissing(server: string, command: string, resolved: string): string {
  const where = resolved === command ? '' : ` (resolved to ${resolved})`;
  return (
    `Server "${server}": command "${command}"${where} does not exist. ` +
    `Fix: correct the path in the server's config (${FIND_IT(command.split('/').pop() ?? command)}).`
  );
}

export function notExecutable(server: string, file: string): string {
  return (
    `Server "${server}": "${file}" is not executable (permission denied). ` +
    `Fix: chmod +x ${file}, or run it through its interpreter (for example: node ${file}).`
  );
}

export function isDirectory(server: string, file: string): string {
  return `Server "${server}": "${file}" is a directory, not a program. Fix: point the command at the executable inside it.`;
}

export function cwdMissing(server: string, cwd: string): string {
  return `Server "${server}": working directory "${cwd}" does not exist. Fix: create it, or correct the server's cwd in the config.`;
}

export function cwdNotDirectory(server: string, cwd: string): string {
  return `Server "${server}": working directory "${cwd}" is not a directory. Fix: correct the server's cwd in the config.`;
}

export function spawnFailed(server: string, command: string, error: Error): string {
  return `Server "${server}": could not start "${command}": ${error.message}.`;
}

export function describeTermination(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return signal === 'SIGKILL' ? 'killed by SIGKILL (by someone, or the out-of-memory killer)' : `killed by ${signal}`;
  return `exit code ${code ?? 'unknown'}`;
}

/** Exit codes a shell uses for its own failures, explained (only meaningful with `shell`). */
function shellHint(code: number | null): string {
  if (code === 127) return ' The shell reported 127: a command in the line was not found (check PATH and spelling).';
  if (code === 126) return ' The shell reported 126: a command in the line is not executable (chmod +x).';
  return '';
}

export function exitedDuringStart(
  server: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  stderrTail: string[],
  viaShell: boolean,
): string {
  return (
    `Server "${server}" exited during start, before it answered initialize ` +
    `(${describeTermination(code, signal)}).${viaShell ? shellHint(code) : ''}` +
    formatStderr(stderrTail)
  );
}

export function exitedWhileRunning(
  server: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  stderrTail: string[],
): string {
  return `Server "${server}" exited (${describeTermination(code, signal)}).` + formatStderr(stderrTail);
}

/** Its stdout ended (or broke) while the process still runs: nothing it writes can arrive. */
export function stdoutClosed(server: string, pid: number | null): string {
  return `Server "${server}" closed its stdout while still running (pid ${pid}), so it could answer nothing any more; it was stopped.`;
}

/** Its stdin broke (EPIPE) while the process still runs: nothing can be sent to it. */
export function stdinClosed(server: string, pid: number | null): string {
  return `Server "${server}" closed its stdin while still running (pid ${pid}), so nothing could be sent to it any more; it was stopped.`;
}

/** Messages pile up in front of a child that does not read its stdin. */
export function stdinStalled(server: string, pid: number | null, waitingBytes: number, limitBytes: number): string {
  return (
    `Server "${server}" stopped reading its stdin (pid ${pid}): ${formatBytes(waitingBytes)} of messages waited for it, ` +
    `over the limit of ${formatBytes(limitBytes)} (maxStdinBacklogBytes), so it was treated as stalled and stopped.`
  );
}

export function stoppedByRequest(server: string): string {
  return `Server "${server}" was stopped by request.`;
}

export function failedRepeatedly(
  server: string,
  exits: number,
  windowMs: number,
  retryDelayMs: number,
  lastReason: string,
): string {
  return (
    `Server "${server}" exited ${exits} times within ${formatDuration(windowMs)}; ` +
    `it keeps retrying every ${formatDuration(retryDelayMs)}. Last exit: ${lastReason}`
  );
}

export function restartedByRequest(server: string, why: string): string {
  return `Server "${server}" was restarted by request (${why}).`;
}

export function restartPending(server: string, why: string): string {
  return `Server "${server}" is being restarted (${why}): stopping the old process.`;
}

export function restartingIn(lastReason: string, delayMs: number): string {
  return `${lastReason} Restarting in ${formatDuration(delayMs)}.`;
}

export function restartDisabled(lastReason: string): string {
  return `${lastReason} It is not restarted (restart is disabled for this server).`;
}

function formatStderr(lines: string[]): string {
  if (lines.length === 0) return ' It wrote nothing to stderr.';
  return ` Last stderr lines:\n  ${lines.join('\n  ')}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
