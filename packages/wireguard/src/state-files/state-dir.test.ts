import { promises as fs, type Stats } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkStateDir, ensureStateDir } from './state-dir.js';
import { assertPrivate } from './permissions.js';
import { StateError } from './state-error.js';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'state-dir-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const modeOf = async (p: string): Promise<number> => (await fs.stat(p)).mode & 0o777;

describe('ensureStateDir', () => {
  test('creates a missing directory (and its parents) with mode 0700', async () => {
    const dir = path.join(root, 'a', 'b', 'mcp-workstation');
    await ensureStateDir(dir);
    expect((await fs.stat(dir)).isDirectory()).toBe(true);
    expect(await modeOf(dir)).toBe(0o700);
  });

  test('accepts an existing private directory as it is', async () => {
    const dir = path.join(root, 'state');
    await fs.mkdir(dir, { mode: 0o700 });
    await fs.writeFile(path.join(dir, 'keep'), 'x');
    await ensureStateDir(dir);
    expect(await fs.readdir(dir)).toEqual(['keep']);
  });

  test.each([0o755, 0o750, 0o707, 0o701])('refuses an existing directory with mode %o, naming the fix, and leaves it alone', async (mode) => {
    const dir = path.join(root, 'loose');
    await fs.mkdir(dir);
    await fs.chmod(dir, mode);
    const error = await ensureStateDir(dir).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).message).toContain(`chmod 700 ${dir}`);
    expect((error as StateError).path).toBe(dir);
    expect(await modeOf(dir)).toBe(mode);
  });

  test('refuses a file where the directory should be', async () => {
    const file = path.join(root, 'file');
    await fs.writeFile(file, '');
    await expect(ensureStateDir(file)).rejects.toThrow(/not a directory/);
  });

  test('a state directory below a file is reported as a StateError, not a crash', async () => {
    const file = path.join(root, 'file');
    await fs.writeFile(file, '');
    await expect(ensureStateDir(path.join(file, 'state'))).rejects.toBeInstanceOf(StateError);
  });
});

describe('checkStateDir', () => {
  test('false for a missing directory, true for a private one, refuses a loose one', async () => {
    expect(await checkStateDir(path.join(root, 'missing'))).toBe(false);
    const dir = path.join(root, 'd');
    await fs.mkdir(dir, { mode: 0o700 });
    expect(await checkStateDir(dir)).toBe(true);
    await fs.chmod(dir, 0o711);
    await expect(checkStateDir(dir)).rejects.toThrow(`chmod 700 ${dir}`);
  });
});

describe('assertPrivate', () => {
  const stats = (uid: number, mode: number): Stats => ({ uid, mode }) as Stats;
  const me = process.getuid!();

  test('refuses a directory owned by another user, with the fix', () => {
    expect(() => assertPrivate('/some/dir', stats(me + 1, 0o40700), '700')).toThrow(/owned by user id .*Fix: .*chown/);
  });
  test('accepts its own private file and refuses group or world bits', () => {
    expect(() => assertPrivate('/f', stats(me, 0o100600), '600')).not.toThrow();
    expect(() => assertPrivate('/f', stats(me, 0o100640), '600')).toThrow('chmod 600 /f');
    expect(() => assertPrivate('/f', stats(me, 0o100604), '600')).toThrow('permissions 0604');
  });
});
