import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ensureStateDir, writeJsonAtomic } from '@mcp-workstation/wireguard';
import { newCredential, sha256Hex } from './secrets.js';
import { readStateFile } from './state-file.js';

const TokenRecordSchema = z.object({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  expiresAt: z.string(),
  usedAt: z.string().nullable(),
  usedBy: z.string().nullable(),
});
export type TokenRecord = z.infer<typeof TokenRecordSchema>;

export type TokenCheck = { state: 'valid'; record: TokenRecord } | { state: 'unknown' | 'expired' | 'used' };

/** Registration tokens are prefixed so a leaked one is recognisable. */
const TOKEN_PREFIX = 'mwreg_';

/**
 * Single-use registration tokens, one file per token under `<state>/tokens/`, named by the
 * token's SHA-256. One file each (not one shared list) because `token create` writes while
 * `serve` may be marking another token used: neither ever rewrites a file the other owns, so
 * the CLI needs no running gateway and no lock. `serve` reads the file at each registration.
 */
export class TokenStore {
  private readonly dir: string;

  constructor(stateDir: string, private readonly now: () => Date = () => new Date()) {
    this.dir = path.join(stateDir, 'tokens');
  }

  /** Makes a token valid for `ttlMs`; returns the plaintext, which is stored nowhere. */
  async create(ttlMs: number): Promise<{ token: string; expiresAt: string }> {
    await ensureStateDir(this.dir);
    const token = newCredential(TOKEN_PREFIX);
    const created = this.now();
    const record: TokenRecord = {
      hash: sha256Hex(token),
      createdAt: created.toISOString(),
      expiresAt: new Date(created.getTime() + ttlMs).toISOString(),
      usedAt: null,
      usedBy: null,
    };
    await writeJsonAtomic(this.fileFor(record.hash), record);
    return { token, expiresAt: record.expiresAt };
  }

  async check(token: string): Promise<TokenCheck> {
    const record = await readStateFile(this.fileFor(sha256Hex(token)), TokenRecordSchema);
    if (record === null) return { state: 'unknown' };
    if (record.usedAt !== null) return { state: 'used' };
    if (Date.parse(record.expiresAt) <= this.now().getTime()) return { state: 'expired' };
    return { state: 'valid', record };
  }

  /** Uses the token up; kept (not deleted) so a second attempt is told `token_used`, not `invalid_token`. */
  async markUsed(record: TokenRecord, agentId: string): Promise<void> {
    await writeJsonAtomic(this.fileFor(record.hash), { ...record, usedAt: this.now().toISOString(), usedBy: agentId });
  }

  /** Undoes markUsed when the registration failed after all: only a 201 uses a token up. */
  async restore(record: TokenRecord): Promise<void> {
    await writeJsonAtomic(this.fileFor(record.hash), record);
  }

  /** Removes tokens that expired unused: they answer `invalid_token` either way. */
  async pruneExpired(): Promise<number> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    let removed = 0;
    for (const name of names.filter((n) => /^[0-9a-f]{64}\.json$/.test(n))) {
      const record = await readStateFile(path.join(this.dir, name), TokenRecordSchema).catch(() => null);
      if (record && record.usedAt === null && Date.parse(record.expiresAt) <= this.now().getTime()) {
        await fs.rm(path.join(this.dir, name), { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  private fileFor(hash: string): string {
    return path.join(this.dir, `${hash}.json`);
  }
}
