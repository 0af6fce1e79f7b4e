import { constants, promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { StateError } from './state-error.js';
import { assertPrivate } from './permissions.js';

/** A validation outcome that names the problem (the protocol package's `Parsed` has this shape). */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** `.identity.json.<pid>.<random>.tmp`: the pid tells a crashed writer's leftover from a live one's. */
const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/;

function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Replaces `file` with `content` so that a reader (or a crash) sees either the old file or the
 * new one, never half of one: a private (0600, O_EXCL) temporary file in the same directory,
 * fsync, rename over the target, fsync the directory so the rename itself survives a crash.
 */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const tempPath = tempPathFor(file);
  try {
    const handle = await fs.open(tempPath, 'wx', 0o600);
    try {
      await handle.chmod(0o600); // the umask may only remove bits, but never trust it to leave ours
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tempPath, file);
  } catch (err) {
    await fs.rm(tempPath, { force: true });
    throw err;
  }
  await syncDirectory(path.dirname(file));
}

/** Writes a JSON state file atomically: indented, so an operator can read it, with a trailing newline. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Makes renames and unlinks in `dir` durable. Some platforms cannot fsync a directory; that is not an error there. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw err;
  } finally {
    await handle?.close();
  }
}

/**
 * Reads a private state file: null when it does not exist; a symbolic link, a non-regular file,
 * another user's file or one the group or others can reach is refused with the fix.
 */
export async function readPrivateFile(file: string): Promise<string | null> {
  let handle;
  try {
    // O_NOFOLLOW: a symlink planted in place of a state file must not redirect the reader.
    handle = await fs.open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new StateError(file, 'it is a symbolic link', `replace it with a regular file (mode 600) or remove it`);
    throw new StateError(file, `cannot read it (${code}: ${(err as Error).message})`, 'check its owner and permissions (chmod 600)');
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new StateError(file, 'it is not a regular file', 'remove it');
    assertPrivate(file, stats, '600');
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Reads and validates a JSON state file: null when it does not exist. A corrupt file (not JSON,
 * or not what `parse` expects) is reported with `fix` and left exactly as it is, so the operator
 * can look at it or restore it.
 */
export async function readJsonFile<T>(file: string, parse: (input: unknown) => ParseResult<T>, fix: string): Promise<T | null> {
  const text = await readPrivateFile(file);
  if (text === null) return null;
  const json = parseJson(text);
  if (!json.ok) throw new StateError(file, `it is corrupt (${json.reason})`, fix);
  const parsed = parse(json.value);
  if (!parsed.ok) throw new StateError(file, `it is corrupt (${parsed.reason})`, fix);
  return parsed.value;
}

function parseJson(text: string): ParseResult<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
}

/** Deletes a file if it exists. */
export async function removeFile(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

/**
 * Deletes the temporary files that a writer which crashed between write and rename left in
 * `dir`. Files of live processes (this one included) may be writes in flight and are kept.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await fs.readdir(dir)) {
    const match = TEMP_FILE.exec(name);
    if (match === null || isProcessAlive(Number(match[1]))) continue;
    await removeFile(path.join(dir, name));
    removed.push(name);
  }
  return removed;
}

function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
