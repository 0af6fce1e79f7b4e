import { readFileSync } from 'node:fs';

/**
 * The node flags a script ships with in its shebang (`#!/usr/bin/env -S node <flags>`): the
 * mcp-workstation bin's, the same as its service units'. The benchmark, the soak and the e2e
 * tests start `node <flags> <bin>` so the product runs as people run it. No other imports, so
 * the soak (rootDir test/) and the e2e tests can use it too.
 */
export function shebangNodeFlags(script: string): string[] {
  const first = readFileSync(script, 'utf8').split('\n')[0];
  const match = /^#!\/usr\/bin\/env -S node(?<flags>(?: \S+)*)$/.exec(first);
  return match?.groups?.flags?.trim().split(' ').filter(Boolean) ?? [];
}
