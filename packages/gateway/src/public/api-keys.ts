import { promises as fs } from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';

/** The environment variable that may carry API keys (comma or whitespace separated), so none needs to be in argv. */
export const API_KEYS_ENV = 'MCP_WORKSTATION_GATEWAY_API_KEYS';

const MIN_KEY_CHARS = 16;

/**
 * The gateway API keys MCP clients present as `Authorization: Bearer <key>`. Held as SHA-256
 * digests and compared in constant time, every key every time, so timing says nothing.
 */
export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: string[]) {
    this.digests = keys.map(digest);
  }

  get size(): number {
    return this.digests.length;
  }

  verify(presented: string | null): boolean {
    if (presented === null) return false;
    const candidate = digest(presented);
    let match = false;
    for (const known of this.digests) match = timingSafeEqual(candidate, known) || match;
    return match;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * Keys from a file (one per line; blank lines and `#` comments skipped) and from
 * $MCP_WORKSTATION_GATEWAY_API_KEYS. A bad key is reported by where it is, never by its value.
 */
export async function loadApiKeys(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const keys: string[] = [];
  if (file !== undefined) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      throw new Error(`--api-key-file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code}); give a file with one API key per line`);
    }
    text.split(/\r?\n/).forEach((line, index) => {
      const key = line.trim();
      if (key === '' || key.startsWith('#')) return;
      checkKey(key, `${file} line ${index + 1}`);
      keys.push(key);
    });
  }
  for (const key of (env[API_KEYS_ENV] ?? '').split(/[\s,]+/).filter(Boolean)) {
    checkKey(key, `$${API_KEYS_ENV}`);
    keys.push(key);
  }
  return keys;
}

function checkKey(key: string, where: string): void {
  if (key.length < MIN_KEY_CHARS || /\s/.test(key)) {
    throw new Error(`the API key in ${where} is too short or has spaces: use at least ${MIN_KEY_CHARS} characters, e.g. from \`openssl rand -base64 32\``);
  }
}
