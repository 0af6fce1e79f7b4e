import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Writes a service file so that it is never seen half-written and a secret file is never
 * readable by others, not even for a moment: the temporary file is created with its final
 * mode, then renamed over the old one.
 */

export interface FileOwner {
  uid: number;
  gid: number;
}

export interface WriteOptions {
  mode: number;
  /** Given only when running as root (a non-root process cannot give files away). */
  owner?: FileOwner;
}

export async function writeFileAtomic(file: string, content: string, options: WriteOptions): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx', options.mode);
  try {
    await handle.writeFile(content, 'utf8');
    // The umask may have taken bits from the mode given to open(); set exactly what was asked.
    await handle.chmod(options.mode);
    if (options.owner) await handle.chown(options.owner.uid, options.owner.gid);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}

/** Makes the directories that are missing, each with `mode` (and owner); existing ones are left alone. */
export async function ensureDirectory(dir: string, mode: number, owner?: FileOwner): Promise<void> {
  const missing: string[] = [];
  for (let current = dir; ; current = path.dirname(current)) {
    if (await exists(current)) break;
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const created of missing) {
    await fs.mkdir(created, { mode }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    await fs.chmod(created, mode);
    if (owner) await fs.chown(created, owner.uid, owner.gid);
  }
}

export async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}
