import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../config-error';
import type { ConfigProblem } from '../config-error';

/**
 * A private directory per test with its own HOME, XDG folders and working directory, so no
 * test reads the real user's config or environment. remove() in afterEach.
 */
export class ConfigSandbox {
  readonly root = mkdtempSync(path.join(tmpdir(), 'mcpw-config-'));
  readonly home = path.join(this.root, 'home');
  readonly cwd = path.join(this.root, 'work');
  readonly xdgConfigHome = path.join(this.root, 'xdg-config');

  constructor() {
    for (const dir of [this.home, this.cwd, this.xdgConfigHome]) mkdirSync(dir, { recursive: true });
  }

  /** An environment with nothing of the real one: HOME and XDG point into the sandbox. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { HOME: this.home, XDG_CONFIG_HOME: this.xdgConfigHome, XDG_STATE_HOME: path.join(this.root, 'state'), PATH: '/usr/bin:/bin', ...extra };
  }

  /** Writes `text` to a path relative to the sandbox root (mode 0600 unless told) and returns its absolute path. */
  write(relative: string, text: string, mode = 0o600): string {
    const file = path.join(this.root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    chmodSync(file, mode);
    return file;
  }

  /** The XDG default config file. */
  writeDefault(text: string): string {
    return this.write(path.join('xdg-config', 'mcp-workstation', 'config.yaml'), text);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The ConfigError `run` throws; fails the test when it throws nothing or something else. */
export function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

export function problemFor(error: ConfigError, key: string): ConfigProblem {
  const problem = error.problems.find((candidate) => candidate.key === key);
  if (!problem) throw new Error(`no problem for ${key}; problems: ${error.problems.map((p) => p.message).join(' | ')}`);
  return problem;
}
