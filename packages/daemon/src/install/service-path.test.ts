import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { servicePath, unsafePathEntries } from './service-path';

// The PATH a service records: the installing shell's, without what means nothing (relative
// entries) or what a package manager put ahead of it for one command; and which of its
// directories a user other than the service's could write (a machine under a temp root).

describe('servicePath', () => {
  it("drops relative entries and npm/npx's own (node_modules/.bin, node-gyp-bin), keeps the rest in order, adds node's and the system directories", () => {
    const npxPath = [
      '/home/alice/project/node_modules/.bin',
      '/home/alice/node_modules/.bin',
      '/tmp/node_modules/.bin',
      '/node_modules/.bin',
      '/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin',
      'bin',
      '/home/alice/.local/bin',
      '/usr/bin',
    ].join(':');
    const result = servicePath(npxPath, '/opt/node/bin');
    expect(result.value).toBe('/home/alice/.local/bin:/usr/bin:/opt/node/bin:/usr/local/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin');
    expect(result.dropped).toEqual([
      { entry: '/home/alice/project/node_modules/.bin', why: 'package manager' },
      { entry: '/home/alice/node_modules/.bin', why: 'package manager' },
      { entry: '/tmp/node_modules/.bin', why: 'package manager' },
      { entry: '/node_modules/.bin', why: 'package manager' },
      { entry: '/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin', why: 'package manager' },
      { entry: 'bin', why: 'relative' },
    ]);
  });
});

describe('unsafePathEntries', () => {
  const ALICE = 1000;
  const BOB = 1001;
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'mcpw-path-'));
    chmodSync(root, 0o755);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function dir(relative: string, mode: number, uid = 0): void {
    const full = path.join(root, relative);
    mkdirSync(full, { recursive: true });
    chmodSync(full, mode);
    chownSync(full, uid, 0);
  }

  it('passes directories owned by root or the service user and writable by no one else', () => {
    dir('usr/bin', 0o755);
    dir('home/alice', 0o755, ALICE);
    dir('home/alice/.local/bin', 0o755, ALICE);
    expect(unsafePathEntries('/usr/bin:/home/alice/.local/bin', [0, ALICE], root)).toEqual([]);
  });

  it("names a directory others can write, one another user owns, and one that does not exist under a directory anyone can write (/tmp)", () => {
    dir('usr/bin', 0o755);
    dir('opt/shared', 0o777);
    dir('home/bob/bin', 0o755, BOB);
    dir('tmp', 0o1777);
    expect(unsafePathEntries('/usr/bin:/opt/shared:/home/bob/bin:/tmp/node_modules/.bin', [0, ALICE], root)).toEqual([
      { entry: '/opt/shared', why: '/opt/shared is writable by others' },
      { entry: '/home/bob/bin', why: '/home/bob/bin belongs to uid 1001' },
      { entry: '/tmp/node_modules/.bin', why: 'it does not exist, and /tmp is writable by others: anyone could create it' },
    ]);
  });

  it('accepts a trusted directory inside a sticky one (/tmp/x owned by alice), not inside a plain writable one', () => {
    dir('tmp', 0o1777);
    dir('tmp/alice-tools', 0o755, ALICE);
    dir('scratch', 0o777);
    dir('scratch/tools', 0o755);
    expect(unsafePathEntries('/tmp/alice-tools:/scratch/tools', [0, ALICE], root)).toEqual([{ entry: '/scratch/tools', why: '/scratch is writable by others' }]);
  });
});
