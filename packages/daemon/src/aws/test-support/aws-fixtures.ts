import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * The `uvx` and `aws` fixture executables (test/fixtures/aws) and a throw-away HOME for each
 * test, so nothing reads or writes the real ~/.aws. cleanUpHomes() in afterEach removes them.
 */

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..', '..');
export const AWS_FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'aws');

/** A PATH with the fixtures first, then the system's (so node and coreutils are found). */
export function fixturePath(rest: string = process.env.PATH ?? '/usr/bin:/bin'): string {
  return `${AWS_FIXTURES}${path.delimiter}${rest}`;
}

export interface TempHome {
  home: string;
  awsDir: string;
  stateFile: string;
  /** Where the fixture `aws` records login calls. */
  callsFile: string;
  /** Where the fixture `uvx` records each start. */
  uvxLog: string;
  /** An environment for the fixtures: this HOME, the fixtures first on PATH, the state file. */
  env: NodeJS.ProcessEnv;
  setState(state: string): void;
  writeAwsFile(name: 'config' | 'credentials', text: string): void;
}

const homes: string[] = [];

export function makeTempHome(options: { withAwsDir?: boolean } = {}): TempHome {
  const home = mkdtempSync(path.join(tmpdir(), 'mcpw-aws-home-'));
  homes.push(home);
  const awsDir = path.join(home, '.aws');
  if (options.withAwsDir !== false) mkdirSync(awsDir, { recursive: true });
  const stateFile = path.join(home, 'fixture-state');
  const callsFile = path.join(home, 'aws-calls.jsonl');
  const uvxLog = path.join(home, 'uvx-starts.jsonl');
  const env: NodeJS.ProcessEnv = {
    PATH: fixturePath(),
    HOME: home,
    FIXTURE_AWS_STATE_FILE: stateFile,
    FIXTURE_AWS_CALLS: callsFile,
    FIXTURE_UVX_LOG: uvxLog,
  };
  return {
    home,
    awsDir,
    stateFile,
    callsFile,
    uvxLog,
    env,
    setState: (state) => writeFileSync(stateFile, `${state}\n`),
    writeAwsFile: (name, text) => {
      mkdirSync(awsDir, { recursive: true });
      writeFileSync(path.join(awsDir, name), text);
    },
  };
}

export function cleanUpHomes(): void {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
}

/** Lines of a JSON-lines file the fixtures append to (empty when it does not exist yet). */
export function readJsonLines(file: string): Array<Record<string, unknown>> {
  try {
    return require('node:fs')
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line: string) => line.trim() !== '')
      .map((line: string) => JSON.parse(line) as Record<string, unknown>);
  } catch {
    return [];
  }
}

/** Polls `check` until it returns something other than undefined/false; fails after the deadline. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface LoggedRecord {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta?: Record<string, unknown>;
}

/** A Logger that keeps what it is told (and prints nothing into the test output). */
export class RecordingLogger {
  readonly records: LoggedRecord[] = [];
  error(message: string, meta?: Record<string, unknown>): void {
    this.records.push({ level: 'error', message, meta });
  }
  warn(message: string, meta?: Record<string, unknown>): void {
    this.records.push({ level: 'warn', message, meta });
  }
  info(message: string, meta?: Record<string, unknown>): void {
    this.records.push({ level: 'info', message, meta });
  }
  debug(message: string, meta?: Record<string, unknown>): void {
    this.records.push({ level: 'debug', message, meta });
  }
  messages(level?: LoggedRecord['level']): string[] {
    return this.records.filter((record) => level === undefined || record.level === level).map((record) => record.message);
  }
}
