import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, removeDir } from '../test-support/temp-dir.js';
import { API_KEYS_ENV, ApiKeys, loadApiKeys } from './api-keys.js';
import { OriginPolicy } from './origins.js';

describe('API keys', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it('reads keys from a file (comments and blank lines skipped) and from the environment', async () => {
    const file = path.join(dir, 'keys');
    await fs.writeFile(file, '# clients\nkey-one-0123456789abcdef\n\n  key-two-0123456789abcdef  \n');
    const keys = await loadApiKeys(file, { [API_KEYS_ENV]: 'key-three-0123456789abc, key-four-0123456789abcd' });
    expect(keys).toEqual(['key-one-0123456789abcdef', 'key-two-0123456789abcdef', 'key-three-0123456789abc', 'key-four-0123456789abcd']);
    const apiKeys = new ApiKeys(keys);
    expect(apiKeys.verify('key-two-0123456789abcdef')).toBe(true);
    expect(apiKeys.verify('key-two-0123456789abcdeF')).toBe(false);
    expect(apiKeys.verify(null)).toBe(false);
  });

  it('reports a weak key by where it is, never by its value', async () => {
    const file = path.join(dir, 'keys');
    await fs.writeFile(file, 'good-key-0123456789abcdef\nshortkey\n');
    const error = await loadApiKeys(file, {}).catch((err: Error) => err);
    expect((error as Error).message).toMatch(/keys line 2 is too short/);
    expect((error as Error).message).not.toContain('shortkey');
  });

  it('names a file it cannot read', async () => {
    await expect(loadApiKeys(path.join(dir, 'missing'), {})).rejects.toThrow(/cannot read it \(ENOENT\)/);
  });

  it('with no key configured, nothing is accepted', () => {
    expect(new ApiKeys([]).verify('anything-at-all-0123456')).toBe(false);
  });
});

describe('OriginPolicy', () => {
  it('allows requests without Origin and listed origins only', () => {
    const policy = new OriginPolicy(['https://App.example.com/']);
    expect(policy.allows(undefined)).toBe(true);
    expect(policy.allows('https://app.example.com')).toBe(true);
    expect(policy.allows('https://app.example.com:8443')).toBe(false);
    expect(policy.allows('null')).toBe(false);
  });

  it('refuses an allow-list entry that is not an origin', () => {
    expect(() => new OriginPolicy(['https://app.example.com/path'])).toThrow(/without a path/);
    expect(() => new OriginPolicy(['app.example.com'])).toThrow(/not an origin/);
  });
});
