import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** This package's version, from its package.json (dist/ sits next to it). */
export function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return version;
}
