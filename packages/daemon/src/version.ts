import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let cached: string | undefined;

/** This package's version, from its package.json (dist/ sits next to it); read once: /status asks for it on every poll. */
export function packageVersion(): string {
  cached ??= (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
