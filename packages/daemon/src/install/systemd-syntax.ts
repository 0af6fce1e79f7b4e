import { ServiceInstallError } from './install-error.js';

/**
 * Escaping for values put into a systemd unit file (systemd.syntax(7), systemd.service(5)):
 * `%` starts a specifier everywhere, `$` expands a variable in command lines, and a command
 * line is split into words on white space with C-style escapes inside double quotes.
 */

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One value on one line: a newline would start a new (attacker-chosen) directive. */
export function assertOneLine(what: string, value: string): void {
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
    throw new ServiceInstallError(`${what} contains a line break or control character (${JSON.stringify(value)})`, 'use a value without control characters');
  }
}

export function escapeSpecifiers(value: string): string {
  return value.replace(/%/g, '%%');
}

function doubleQuoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** One argument of ExecStart=, quoted only when it has to be. */
export function execArgument(arg: string): string {
  assertOneLine('a command-line argument', arg);
  const escaped = escapeSpecifiers(arg).replace(/\$/g, () => '$$');
  return SAFE_WORD.test(escaped) ? escaped : doubleQuoted(escaped);
}

export function execLine(argv: readonly string[]): string {
  return argv.map(execArgument).join(' ');
}

/** The value of Environment=: one quoted assignment. Environment= does not expand `$`. */
export function environmentAssignment(name: string, value: string): string {
  assertOneLine(`the environment variable ${name}`, value);
  return doubleQuoted(escapeSpecifiers(`${name}=${value}`));
}

/** A value that systemd reads to the end of the line (a path, a user name). */
export function lineValue(what: string, value: string): string {
  assertOneLine(what, value);
  if (value.trim() !== value || value === '') {
    throw new ServiceInstallError(`${what} '${value}' is empty or starts or ends with white space, which systemd would drop`, 'use a value without leading or trailing spaces');
  }
  return escapeSpecifiers(value);
}
