import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh private directory; short, because the admin socket path inside it must fit a sockaddr_un. */
export async function makeTempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'mwgw-'));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
}

/** Every file under `dir`, recursively, with its text (sockets skipped). */
export async function readTree(dir: string): Promise<{ file: string; text: string; mode: number }[]> {
  const out: { file: string; text: string; mode: number }[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await readTree(file)));
    else if (entry.isFile()) out.push({ file, text: await fs.readFile(file, 'utf8'), mode: (await fs.stat(file)).mode & 0o777 });
  }
  return out;
}
