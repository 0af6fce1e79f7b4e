import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StateError } from './state-error.js';

/**
 * Where the gateway keeps its state when --state-dir is not given: /var/lib for root (a
 * system service), the XDG state directory for anyone else.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MCP_WORKSTATION_GATEWAY_STATE_DIR) return env.MCP_WORKSTATION_GATEWAY_STATE_DIR;
  if (process.getuid?.() === 0) return '/var/lib/mcp-workstation-gateway';
  const base = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'mcp-workstation-gateway');
}

/**
 * Creates the state directory (0700) or checks an existing one: it holds token hashes, agent
 * secret hashes and the gateway's WireGuard private key, so a directory others can enter is
 * refused with the fix rather than used.
 */
export async function ensureStateDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StateError(dir, `cannot create it (${code})`, 'run as the user the gateway runs as (root for /var/lib), or give --state-dir');
  }
  const stats = await fs.lstat(dir);
  if (!stats.isDirectory()) throw new StateError(dir, 'it is not a directory', 'give --state-dir a directory');
  assertPrivate(dir, stats, '700');
}

/** Refuses a file or directory that group or others can reach, or that another user owns. */
export function assertPrivate(file: string, stats: { mode: number; uid: number }, wanted: '600' | '700'): void {
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    throw new StateError(file, `it belongs to user ${stats.uid}, not to this user (${uid})`, `run as its owner or chown it`);
  }
  if ((stats.mode & 0o077) !== 0) {
    const mode = (stats.mode & 0o777).toString(8);
    throw new StateError(file, `its mode is ${mode}, which lets others read it`, `run: chmod ${wanted} '${file}'`);
  }
}
