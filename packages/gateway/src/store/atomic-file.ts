import { constants, promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { parseJson, type Parsed } from '@mcp-workstation/protocol';
import { StateError } from './state-error.js';
import { assertPrivate } from './state-dir.js';

/**
 * Replaces `file` with `content` so a reader, or a crash, sees the old file or the new one and
 * never half of one: a private (0600, exclusive) temporary file beside it, fsync, rename, fsync
 * of the directory so the rename itself survives a crash.
 */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.chmod(0o600); // never trust the umask with a secret
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(path.dirname(file));
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some file systems cannot fsync a directory; the rename is still atomic there.
    if (!['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await handle.close();
  }
}

/**
 * Reads and validates a private JSON state file: null when it does not exist. A symbolic link,
 * a file others can read, or a corrupt file is reported with the fix and left as it is.
 */
export async function readJsonFile<T>(file: string, parse: (input: unknown) => Parsed<T>): Promise<T | null> {
  let handle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new StateError(file, 'it is a symbolic link', 'replace it with a regular file (mode 600)');
    throw new StateError(file, `cannot read it (${code})`, 'check its owner and permissions (chmod 600)');
  }
  let text: string;
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new StateError(file, 'it is not a regular file', 'remove it');
    assertPrivate(file, stats, '600');
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  const json = parseJson(text);
  const parsed = json.ok ? parse(json.value) : json;
  if (!parsed.ok) {
    throw new StateError(file, `it is corrupt (${parsed.reason})`, 'restore it from a backup or remove it (agents it names must then register again)');
  }
  return parsed.value;
}
