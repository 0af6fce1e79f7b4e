import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Runs `use` with the private key in a file only this user can read (0600, in a fresh 0700
 * directory), and deletes both right after, whatever happens.
 *
 * Why a file: `wg set … private-key <file>` takes a path, and argv is readable by every
 * user. `/dev/stdin` does not work from Node either: Node gives children UNIX socket pairs,
 * not pipes, as stdin, and opening a socket through /dev/stdin fails (ENXIO).
 */
export async function withPrivateKeyFile<T>(privateKey: string, use: (file: string) => Promise<T>, directory = tmpdir()): Promise<T> {
  const dir = await mkdtemp(path.join(directory, 'mcpw-wg-')); // mkdtemp makes it 0700
  try {
    const file = path.join(dir, 'private.key');
    await writeFile(file, `${privateKey}\n`, { mode: 0o600, flag: 'wx' });
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
