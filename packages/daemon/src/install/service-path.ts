import { statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The PATH recorded in the service. A service starts with a short PATH (systemd's
 * /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin, launchd's /usr/bin:/bin:/usr/sbin:/sbin),
 * so `uvx` in ~/.local/bin is not found: that is how `spawn uvx ENOENT` happens. The
 * installing shell's PATH is recorded instead, cleaned of what means nothing in a service.
 */

/** Where the tools the tunnel runs (ip, wg, wireguard-go) live on the supported systems. */
const SYSTEM_DIRS = ['/usr/local/bin', '/usr/bin', '/bin', '/usr/local/sbin', '/usr/sbin', '/sbin'];

export interface ServicePath {
  value: string;
  /**
   * Entries left out, with why: relative ones mean nothing in a service that starts in another
   * directory; a package manager's own (`…/node_modules/.bin`, npm's `node-gyp-bin`) are what
   * `npx`/`npm exec` put ahead of PATH for the one command they ran, not the user's tools.
   */
  dropped: Array<{ entry: string; why: 'relative' | 'package manager' }>;
  /** Entries added: node's own directory (for `npx` servers) and the system directories. */
  added: string[];
}

export function servicePath(installPath: string | undefined, nodeDir: string): ServicePath {
  const kept: string[] = [];
  const dropped: ServicePath['dropped'] = [];
  for (const entry of (installPath ?? '').split(path.delimiter)) {
    if (entry === '') continue;
    if (!path.isAbsolute(entry)) dropped.push({ entry, why: 'relative' });
    else if (isPackageManagerEntry(entry)) dropped.push({ entry, why: 'package manager' });
    else if (!kept.includes(entry)) kept.push(entry);
  }
  const added = [nodeDir, ...SYSTEM_DIRS].filter((dir, index, all) => !kept.includes(dir) && all.indexOf(dir) === index);
  return { value: [...kept, ...added].join(path.delimiter), dropped, added };
}

function isPackageManagerEntry(entry: string): boolean {
  const parts = path.normalize(entry).split(path.sep).filter(Boolean);
  return (parts.at(-1) === '.bin' && parts.at(-2) === 'node_modules') || parts.at(-1) === 'node-gyp-bin';
}

/** A PATH entry someone else could fill with programs of their choosing, and how. */
export interface UnsafePathEntry {
  entry: string;
  why: string;
}

/**
 * The entries of `searchPath` that a user other than `trustedUids` (root and the service's
 * user) can write, or could create: the rule of a secure PATH (sudo's secure_path, OpenSSH's
 * StrictModes). An existing entry and every directory above it must be owned by a trusted
 * user and writable by no one else, except that a sticky directory (/tmp) may be writable by
 * all as long as the next one down is trusted (the sticky bit keeps others from renaming
 * it). An entry that does not exist is unsafe when others can write where it would be made.
 * `root` prefixes every path looked at (tests use a directory as the machine's root).
 */
export function unsafePathEntries(searchPath: string, trustedUids: readonly number[], root = '/'): UnsafePathEntry[] {
  // The machine's own root directory is trusted whoever it is: root's on a real machine.
  const trusted = [...trustedUids, statSync(root).uid];
  return searchPath
    .split(path.delimiter)
    .filter((entry) => path.isAbsolute(entry))
    .flatMap((entry) => {
      const why = whyUnsafe(entry, trusted, root);
      return why ? [{ entry, why }] : [];
    });
}

function whyUnsafe(entry: string, trustedUids: readonly number[], root: string): string | null {
  let missing = true;
  for (let dir = path.normalize(entry); ; dir = path.dirname(dir)) {
    const stat = statOrNull(path.join(root, dir));
    if (stat) {
      if (!trustedUids.includes(stat.uid)) return `${dir} belongs to uid ${stat.uid}`;
      const othersWrite = (stat.mode & 0o022) !== 0;
      const sticky = (stat.mode & 0o1000) !== 0;
      if (othersWrite && (missing || !sticky)) return missing && dir !== entry ? `it does not exist, and ${dir} is writable by others: anyone could create it` : `${dir} is writable by others`;
      missing = false;
    }
    if (dir === path.dirname(dir)) return null;
  }
}

function statOrNull(file: string): { uid: number; mode: number } | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}
