import { ServiceInstallError } from './install-error.js';

/**
 * The servers' environment file (mode 0600): what a unit must not hold because it may be
 * secret. One syntax that both readers accept: systemd's EnvironmentFile= and a POSIX shell's
 * `.`, which is also what `mcp-workstation up --env-file` reads on launchd (which has no
 * EnvironmentFile). Values are written bare, 'single-quoted' or "double-quoted" with
 * backslash escapes, whichever is the simplest that keeps the value exact.
 */

export type EnvEntries = ReadonlyArray<readonly [name: string, value: string]>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BARE_VALUE = /^[A-Za-z0-9_@%+=:,./-]*$/;

export function isEnvName(name: string): boolean {
  return NAME.test(name);
}

export function formatEnvValue(value: string): string {
  if (value.includes('\0')) throw new ServiceInstallError('an environment value contains a NUL character', 'remove it: no program can receive it');
  if (BARE_VALUE.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  return `"${value.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
}

export function formatEnvFile(entries: EnvEntries, header: readonly string[] = []): string {
  const lines = header.map((line) => (line === '' ? '#' : `# ${line}`));
  for (const [name, value] of entries) {
    if (!isEnvName(name)) {
      throw new ServiceInstallError(`'${name}' is not a usable environment variable name`, 'use letters, digits and underscores, not starting with a digit');
    }
    lines.push(`${name}=${formatEnvValue(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

export class EnvFileSyntaxError extends Error {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = 'EnvFileSyntaxError';
  }
}

/**
 * Reads what formatEnvFile writes, plus what people type by hand (NAME=value, comments with
 * # or ;, blank lines). Later assignments win, as in both systemd and the shell.
 */
export function parseEnvFile(text: string): Map<string, string> {
  const reader = new EnvReader(text);
  const result = new Map<string, string>();
  for (;;) {
    const entry = reader.next();
    if (entry === null) return result;
    result.set(entry[0], entry[1]);
  }
}

/** The file rewritten with `updates` applied: names already there keep their place. */
export function mergeEnv(existing: ReadonlyMap<string, string>, updates: EnvEntries): Array<[string, string]> {
  const merged = new Map(existing);
  for (const [name, value] of updates) merged.set(name, value);
  return [...merged.entries()];
}

class EnvReader {
  private index = 0;
  private line = 1;

  constructor(private readonly text: string) {}

  next(): [string, string] | null {
    for (;;) {
      this.skip(/[ \t\r\n]/);
      if (this.index >= this.text.length) return null;
      const startLine = this.line;
      const first = this.text[this.index];
      if (first === '#' || first === ';') {
        this.skipToEndOfLine();
        continue;
      }
      const name = this.take(/[A-Za-z0-9_]/);
      this.skip(/[ \t]/);
      if (!isEnvName(name) || this.text[this.index] !== '=') {
        throw new EnvFileSyntaxError(startLine, 'expected NAME=value');
      }
      this.index += 1;
      return [name, this.value(startLine)];
    }
  }

  /** Bare, single- and double-quoted parts, joined, up to an unquoted end of line. */
  private value(startLine: number): string {
    this.skip(/[ \t]/);
    let value = '';
    let bareTail = '';
    while (this.index < this.text.length) {
      const c = this.text[this.index];
      if (c === '\n') break;
      if (c === "'" || c === '"') {
        value += bareTail + (c === "'" ? this.singleQuoted(startLine) : this.doubleQuoted(startLine));
        bareTail = '';
        continue;
      }
      this.index += 1;
      if (c === '\\') {
        const escaped = this.text[this.index];
        this.index += 1;
        if (escaped === '\n') this.line += 1;
        else if (escaped !== undefined) bareTail += escaped;
        continue;
      }
      bareTail += c;
    }
    // Trailing white space outside quotes is dropped by systemd (and split away by the shell).
    return value + bareTail.replace(/[ \t\r]+$/, '');
  }

  private singleQuoted(startLine: number): string {
    const close = this.text.indexOf("'", this.index + 1);
    if (close === -1) throw new EnvFileSyntaxError(startLine, "a ' quote is never closed");
    const content = this.text.slice(this.index + 1, close);
    this.line += content.split('\n').length - 1;
    this.index = close + 1;
    return content;
  }

  private doubleQuoted(startLine: number): string {
    let content = '';
    this.index += 1;
    while (this.index < this.text.length) {
      const c = this.text[this.index];
      this.index += 1;
      if (c === '"') return content;
      if (c === '\n') this.line += 1;
      if (c !== '\\') {
        content += c;
        continue;
      }
      const escaped = this.text[this.index];
      this.index += 1;
      if (escaped === '\n') this.line += 1;
      else if (escaped !== undefined && '\\"`$'.includes(escaped)) content += escaped;
      else if (escaped !== undefined) content += `\\${escaped}`;
    }
    throw new EnvFileSyntaxError(startLine, 'a " quote is never closed');
  }

  private take(pattern: RegExp): string {
    const start = this.index;
    while (this.index < this.text.length && pattern.test(this.text[this.index])) this.index += 1;
    return this.text.slice(start, this.index);
  }

  private skip(pattern: RegExp): void {
    for (const c of this.take(pattern)) if (c === '\n') this.line += 1;
  }

  private skipToEndOfLine(): void {
    const end = this.text.indexOf('\n', this.index);
    this.index = end === -1 ? this.text.length : end;
  }
}
