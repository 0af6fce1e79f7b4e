import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readJsonFile, readPrivateFile, removeStaleTempFiles, writeFileAtomic, type ParseResult } from './atomic-file.js';
import { StateError } from './state-error.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'atomic-file-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const modeOf = async (p: string): Promise<number> => (await fs.stat(p)).mode & 0o777;

/** The pid of a process that has exited: what a crashed writer leaves in its temp file's name. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

const parseGreeting = (input: unknown): ParseResult<{ hello: string }> =>
  typeof input === 'object' && input !== null && typeof (input as { hello?: unknown }).hello === 'string'
    ? { ok: true, value: input as { hello: string } }
    : { ok: false, reason: 'hello: must be a string' };

describe('writeFileAtomic', () => {
  test('writes a 0600 file and leaves no temporary file behind', async () => {
    const file = path.join(dir, 'identity.json');
    await writeFileAtomic(file, '{"hello":"world"}\n');
    expect(await fs.readFile(file, 'utf8')).toBe('{"hello":"world"}\n');
    expect(await modeOf(file)).toBe(0o600);
    expect(await fs.readdir(dir)).toEqual(['identity.json']);
  });

  test('replaces an existing file by a new one (0600 even if the old one was loose)', async () => {
    const file = path.join(dir, 'tunnel.json');
    await fs.writeFile(file, 'old', { mode: 0o644 });
    const before = await fs.stat(file);
    await writeFileAtomic(file, 'new');
    const after = await fs.stat(file);
    expect(await fs.readFile(file, 'utf8')).toBe('new');
    expect(after.mode & 0o777).toBe(0o600);
    expect(after.ino).not.toBe(before.ino); // renamed over, never rewritten in place
    expect(await fs.readdir(dir)).toEqual(['tunnel.json']);
  });

  test('a failed rename removes its temporary file and keeps what was there', async () => {
    const target = path.join(dir, 'taken');
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'inside'), 'x');
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect(await fs.readdir(dir)).toEqual(['taken']);
    expect(await fs.readdir(target)).toEqual(['inside']);
  });
});

describe('a writer that crashed between write and rename', () => {
  test('its half-written temporary file is never read and is removed; a live writer\'s is kept', async () => {
    const file = path.join(dir, 'identity.json');
    await writeFileAtomic(file, '{"hello":"complete"}');
    const crashed = `.identity.json.${await deadPid()}.0123456789ab.tmp`;
    const live = `.identity.json.${process.ppid}.ba9876543210.tmp`;
    await fs.writeFile(path.join(dir, crashed), '{"hello":"ha', { mode: 0o600 });
    await fs.writeFile(path.join(dir, live), '{"hel', { mode: 0o600 });

    expect(await readJsonFile(file, parseGreeting, 'register again')).toEqual({ hello: 'complete' });
    expect(await removeStaleTempFiles(dir)).toEqual([crashed]);
    expect((await fs.readdir(dir)).sort()).toEqual([live, 'identity.json'].sort());
  });
});

describe('readPrivateFile', () => {
  test('null for a missing file', async () => {
    expect(await readPrivateFile(path.join(dir, 'missing.json'))).toBeNull();
  });

  test.each([0o640, 0o604, 0o644, 0o666])('refuses a file with mode %o, naming chmod 600, and leaves it alone', async (mode) => {
    const file = path.join(dir, 'keys.json');
    await fs.writeFile(file, '{"secret":1}');
    await fs.chmod(file, mode);
    const error = await readPrivateFile(file).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StateError);
    expect((error as Error).message).toContain(`chmod 600 ${file}`);
    expect(await modeOf(file)).toBe(mode);
    expect(await fs.readFile(file, 'utf8')).toBe('{"secret":1}');
  });

  test('refuses a symbolic link in place of a state file', async () => {
    const real = path.join(dir, 'elsewhere.json');
    await fs.writeFile(real, '{}', { mode: 0o600 });
    await fs.symlink(real, path.join(dir, 'keys.json'));
    await expect(readPrivateFile(path.join(dir, 'keys.json'))).rejects.toThrow(/symbolic link/);
  });
});

describe('readJsonFile', () => {
  async function corrupt(content: string): Promise<{ file: string; error: unknown; mtimeMs: number }> {
    const file = path.join(dir, 'identity.json');
    await fs.writeFile(file, content, { mode: 0o600 });
    const { mtimeMs } = await fs.stat(file);
    const error = await readJsonFile(file, parseGreeting, 'register again, or restore the file').catch((err: unknown) => err);
    return { file, error, mtimeMs };
  }

  test('reports a file that is not JSON, naming the file, the problem and the fix, and leaves it untouched', async () => {
    const { file, error, mtimeMs } = await corrupt('{"hello": "wor');
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).message).toMatch(new RegExp(`^${file}: it is corrupt \\(not JSON: .*\\)\\. Fix: register again, or restore the file$`));
    expect(await fs.readFile(file, 'utf8')).toBe('{"hello": "wor');
    expect((await fs.stat(file)).mtimeMs).toBe(mtimeMs);
  });

  test('reports a file that is JSON of the wrong shape, naming the field', async () => {
    const { file, error } = await corrupt('{"hello": 42}');
    expect((error as StateError).message).toContain(`${file}: it is corrupt (hello: must be a string)`);
    expect(await fs.readFile(file, 'utf8')).toBe('{"hello": 42}');
  });

  test('returns the validated content of a good file, null for a missing one', async () => {
    const file = path.join(dir, 'ok.json');
    await writeFileAtomic(file, '{"hello":"there","later":"ignored"}');
    expect(await readJsonFile(file, parseGreeting, 'fix')).toEqual({ hello: 'there', later: 'ignored' });
    expect(await readJsonFile(path.join(dir, 'none.json'), parseGreeting, 'fix')).toBeNull();
  });
});
