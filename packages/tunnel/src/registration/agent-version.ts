import { readFileSync } from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

/**
 * This package's version, sent as `agentVersion`. Read at run time because package.json lies
 * outside the compiled rootDir; src/registration and dist/registration are both two levels below it.
 */
export function agentVersion(): string {
  cached ??= (JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
