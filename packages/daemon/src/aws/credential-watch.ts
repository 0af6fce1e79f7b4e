import { existsSync, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '@mcp-workstation/supervisor';
import type { AwsPaths } from './aws-paths.js';

/**
 * Watches the files the proxy reads its credentials from, so the daemon can restart the child
 * when they change (after `aws login`, `aws sso login`, `aws configure`): a running proxy
 * keeps what it loaded, and some of its credential providers never look again (its issues
 * #320, #321). Directories are watched rather than files because the AWS CLI and editors
 * replace files by renaming over them. A directory that does not exist yet (no `aws login`
 * ever ran) is waited for by watching its nearest existing parent, and armed once it appears.
 */

export type CredentialFileKind = 'config' | 'credentials' | 'login-cache' | 'sso-cache';

export interface CredentialChange {
  kinds: CredentialFileKind[];
  paths: string[];
}

export interface CredentialWatchOptions {
  paths: AwsPaths;
  /** Changes are gathered until none came for this long, then reported once. Default 2 s. */
  debounceMs?: number;
  onChange(change: CredentialChange): void;
  logger?: Logger;
}

export const DEFAULT_CREDENTIAL_DEBOUNCE_MS = 2_000;

interface Target {
  kind: CredentialFileKind;
  dir: string;
  /** Only this entry of `dir` counts (the config and credentials files); unset: any entry. */
  file?: string;
}

export class CredentialWatch {
  private readonly watches: TargetWatch[];
  private readonly debounceMs: number;
  private pending = new Map<string, CredentialFileKind>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: CredentialWatchOptions) {
    this.debounceMs = options.debounceMs ?? DEFAULT_CREDENTIAL_DEBOUNCE_MS;
    this.watches = targetsOf(options.paths).map((target) => new TargetWatch(target, (kind, file) => this.note(kind, file), options.logger));
  }

  start(): void {
    if (this.closed) return;
    for (const target of this.watches) target.arm();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
    for (const target of this.watches) target.close();
  }

  /** The directories being watched right now (a missing target is represented by its nearest parent). */
  watchedDirectories(): string[] {
    return this.watches.map((target) => target.watchedDirectory()).filter((dir): dir is string => dir !== null);
  }

  private note(kind: CredentialFileKind, file: string): void {
    if (this.closed) return;
    this.pending.set(file, kind);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.debounceMs);
    this.timer.unref?.();
  }

  private flush(): void {
    this.timer = null;
    const entries = [...this.pending];
    this.pending.clear();
    if (entries.length === 0 || this.closed) return;
    const change: CredentialChange = { kinds: [...new Set(entries.map(([, kind]) => kind))], paths: entries.map(([file]) => file) };
    try {
      this.options.onChange(change);
    } catch (error) {
      this.options.logger?.warn(`a credential-change handler failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function targetsOf(paths: AwsPaths): Target[] {
  return [
    { kind: 'config', dir: path.dirname(paths.configFile), file: path.basename(paths.configFile) },
    { kind: 'credentials', dir: path.dirname(paths.credentialsFile), file: path.basename(paths.credentialsFile) },
    { kind: 'login-cache', dir: paths.loginCacheDir },
    { kind: 'sso-cache', dir: paths.ssoCacheDir },
  ];
}

/** One target: a watcher on its directory, or on the nearest existing parent until the directory appears. */
class TargetWatch {
  private watcher: FSWatcher | null = null;
  private armedOn: string | null = null;

  constructor(
    private readonly target: Target,
    private readonly report: (kind: CredentialFileKind, file: string) => void,
    private readonly logger?: Logger,
  ) {}

  watchedDirectory(): string | null {
    return this.armedOn;
  }

  arm(): void {
    const previous = this.armedOn;
    this.close();
    const dir = nearestExisting(this.target.dir);
    try {
      const watcher = watch(dir, { persistent: false }, (_event, filename) => this.handle(dir, filename));
      watcher.on('error', () => this.arm()); // the directory went away: wait for it again
      this.watcher = watcher;
      this.armedOn = dir;
    } catch (error) {
      this.logger?.debug(`cannot watch ${dir} for AWS credential changes: ${(error as Error).message}`);
      return;
    }
    // It just appeared: whatever was written into it before the watch began counts as a change.
    if (previous !== null && previous !== this.target.dir && dir === this.target.dir) this.report(this.target.kind, this.target.dir);
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
    this.armedOn = null;
  }

  private handle(dir: string, filename: string | Buffer | null): void {
    if (dir !== this.target.dir) {
      // A parent changed: re-arm when a level of the missing path appeared.
      if (nearestExisting(this.target.dir) !== dir) this.arm();
      return;
    }
    if (!existsSync(dir)) {
      this.arm();
      return;
    }
    const name = filename === null ? null : filename.toString();
    if (this.target.file !== undefined && name !== null && name !== this.target.file) return;
    this.report(this.target.kind, name === null ? dir : path.join(dir, name));
  }
}

function nearestExisting(dir: string): string {
  let current = dir;
  while (!existsSync(current)) {
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}
