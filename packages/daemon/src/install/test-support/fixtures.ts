import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ServiceUser } from '../types.js';

/** The real programs a rendered service runs here: `systemd-analyze verify` wants them to exist. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..', '..');
export const CLI_PATH = path.join(REPO_ROOT, 'packages', 'daemon', 'bin', 'mcp-workstation.js');
export const NODE_PATH = process.execPath;

export function currentServiceUser(): ServiceUser {
  const info = os.userInfo();
  const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  return { name: info.username, uid: info.uid, gid: info.gid, group, home: info.homedir };
}

/** A made-up account for files written under a temporary root. */
export function aliceUser(): ServiceUser {
  const info = os.userInfo();
  return { name: 'alice', uid: info.uid, gid: info.gid, group: 'alice', home: '/home/alice' };
}
