import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPair } from '../keys';
import { withPrivateKeyFile } from './private-key-file';

describe('withPrivateKeyFile', () => {
  it('offers the key in a 0600 file inside a 0700 directory, and removes both afterwards', async () => {
    const { privateKey } = generateKeyPair();
    let seen = '';
    await withPrivateKeyFile(privateKey, async (file) => {
      seen = file;
      expect(readFileSync(file, 'utf8')).toBe(`${privateKey}\n`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    });
    expect(seen).not.toBe('');
    expect(existsSync(path.dirname(seen))).toBe(false);
  });

  it('removes them also when the use fails', async () => {
    let seen = '';
    await expect(
      withPrivateKeyFile(generateKeyPair().privateKey, async (file) => {
        seen = file;
        throw new Error('wg failed');
      }),
    ).rejects.toThrow('wg failed');
    expect(existsSync(path.dirname(seen))).toBe(false);
  });
});
