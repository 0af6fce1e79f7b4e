import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvFileSyntaxError, formatEnvFile, mergeEnv, parseEnvFile } from './env-file.js';

const TRICKY: Array<[string, string]> = [
  ['PLAIN', 'us-east-1'],
  ['EMPTY', ''],
  ['SPACES', '  two  words  '],
  ['SINGLE', "it's"],
  ['DOUBLE', 'say "hi"'],
  ['BOTH', `'a' "b" $HOME \`cmd\` \\n \\`],
  ['DOLLAR', '$HOME/${USER}'],
  ['HASH', 'a#b # c'],
  ['NEWLINE', 'line one\nline two'],
  ['UNICODE', 'grüße ✓'],
  ['SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY+=='],
];

describe('environment file', () => {
  it('reads back exactly what it wrote', () => {
    const text = formatEnvFile(TRICKY, ['header line', '']);
    expect([...parseEnvFile(text).entries()]).toEqual(TRICKY);
  });

  it('means the same to a POSIX shell (the syntax systemd EnvironmentFile= follows)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'env-file-'));
    try {
      const file = path.join(dir, 'service.env');
      writeFileSync(file, formatEnvFile(TRICKY));
      const names = TRICKY.map(([name]) => name).join(' ');
      const script = `set -a; . "$1"; node -e 'const o={}; for (const n of process.argv.slice(1)) o[n]=process.env[n]; process.stdout.write(JSON.stringify(o))' ${names}`;
      const result = spawnSync('sh', ['-c', script, 'sh', file], { encoding: 'utf8', env: { PATH: process.env.PATH } });
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual(Object.fromEntries(TRICKY));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads what people type by hand', () => {
    const text = '# comment\n; also a comment\n\nA=1\n  B = two words  \nC="x\\"y"\nA=again\n';
    expect(Object.fromEntries(parseEnvFile(text))).toEqual({ A: 'again', B: 'two words', C: 'x"y' });
  });

  it('reports the line of a mistake without repeating any value', () => {
    const attempt = (): Map<string, string> => parseEnvFile("OK=1\nTOKEN='s3cret\n");
    expect(attempt).toThrow(EnvFileSyntaxError);
    expect(attempt).toThrow("line 2: a ' quote is never closed");
    expect(() => parseEnvFile('not an assignment s3cret\n')).toThrow(/^line 1: expected NAME=value$/);
  });

  it('refuses names a shell or systemd would not take', () => {
    expect(() => formatEnvFile([['1BAD', 'x']])).toThrow(/not a usable environment variable name/);
  });

  it('merges updates into what is there, keeping hand-added variables', () => {
    expect(mergeEnv(new Map([['HAND', 'kept'], ['AWS_PROFILE', 'old']]), [['AWS_PROFILE', 'new'], ['AWS_REGION', 'eu-west-1']])).toEqual([
      ['HAND', 'kept'],
      ['AWS_PROFILE', 'new'],
      ['AWS_REGION', 'eu-west-1'],
    ]);
  });
});
