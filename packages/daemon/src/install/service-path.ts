import { accessSync, constants, statSync } from 'node:fs';
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
  /** Entries left out: relative ones mean nothing in a service that starts in another directory. */
  dropped: string[];
  /** Entries added: node's own directory (for `npx` servers) and the system directories. */
  added: string[];
}

export function servicePath(installPath: string | undefined, nodeDir: string): ServicePath {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const entry of (installPath ?? '').split(path.delimiter)) {
    if (entry === '') continue;
    if (!path.isAbsolute(entry)) dropped.push(entry);
    else if (!kept.includes(entry)) kept.push(entry);
  }
  const added = [nodeDir, ...SYSTEM_DIRS].filter((dir, index, all) => !kept.includes(dir) && all.indexOf(dir) === index);
  return { value: [...kept, ...added].join(path.delimiter), dropped, added };
}

/** The first executable named `command` on `searchPath`, or null; an absolute command is checked as is. */
export function findOnPath(command: string, searchPath: string): string | null {
  const candidates = command.includes('/') ? [command] : searchPath.split(path.delimiter).filter((dir) => dir !== '').map((dir) => path.join(dir, command));
  return candidates.find(isExecutableFile) ?? null;
}

export function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
