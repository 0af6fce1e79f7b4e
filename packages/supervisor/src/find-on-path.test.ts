import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findNonExecutableOnPath, findOnPath } from './find-on-path';

describe('findOnPath', () => {
  let root: string;
  let first: string;
  let second: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'find-on-path-'));
    first = path.join(root, 'first');
    second = path.join(root, 'second');
    mkdirSync(first);
    mkdirSync(second);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function file(directory: string, name: string, mode: number): string {
    const target = path.join(directory, name);
    writeFileSync(target, '#!/bin/sh\nexit 0\n');
    chmodSync(target, mode);
    return target;
  }

  it('returns the first executable match in PATH order', () => {
    file(first, 'tool', 0o755);
    file(second, 'tool', 0o755);
    expect(findOnPath('tool', `${first}:${second}`)).toBe(path.join(first, 'tool'));
    expect(findOnPath('tool', `${second}:${first}`)).toBe(path.join(second, 'tool'));
  });

  it('skips files that are not executable and directories with the same name', () => {
    file(first, 'tool', 0o644);
    mkdirSync(path.join(second, 'tool'));
    const third = path.join(root, 'third');
    mkdirSync(third);
    file(third, 'tool', 0o700);
    expect(findOnPath('tool', [first, second, third].join(':'))).toBe(path.join(third, 'tool'));
  });

  it('returns null when nothing matches, and for an empty PATH', () => {
    expect(findOnPath('no-such-tool-here', `${first}:${second}`)).toBeNull();
    expect(findOnPath('sh', '')).toBeNull();
  });

  it('skips empty PATH entries instead of searching the current directory', () => {
    const cwd = process.cwd();
    process.chdir(first);
    try {
      file(first, 'tool', 0o755);
      expect(findOnPath('tool', `::${second}:`)).toBeNull();
      file(second, 'tool', 0o755);
      expect(findOnPath('tool', `::${second}:`)).toBe(path.join(second, 'tool'));
    } finally {
      process.chdir(cwd);
    }
  });

  it('checks a command with a slash directly, without searching PATH', () => {
    const tool = file(first, 'tool', 0o755);
    expect(findOnPath(tool, '')).toBe(tool);
    expect(findOnPath(path.join(second, 'tool'), first)).toBeNull();
    const plain = file(second, 'plain', 0o644);
    expect(findOnPath(plain)).toBeNull();
  });

  it('uses the process PATH when none is given', () => {
    expect(findOnPath('sh')).toMatch(/\/sh$/);
  });

  it('finds a non-executable file so "not found" can say "not executable" instead', () => {
    const plain = file(second, 'tool', 0o644);
    expect(findNonExecutableOnPath('tool', `${first}:${second}`)).toBe(plain);
    expect(findNonExecutableOnPath('missing', `${first}:${second}`)).toBeNull();
  });
});
