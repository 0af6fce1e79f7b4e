import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { shebangNodeFlags } from '../../bench/shebang-flags';

/** Where the things the end-to-end tests run live. */

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
/** The CLI exactly as users run it: the bin shim, which loads the built dist/cli.js. */
export const CLI_BIN = join(REPO_ROOT, 'packages', 'daemon', 'bin', 'mcp-workstation.js');
const CLI_DIST = join(REPO_ROOT, 'packages', 'daemon', 'dist', 'cli.js');

/** The node flags the CLI ships with (its bin's shebang): `node <flags> <bin>` runs it as a user's shell would. */
export const CLI_NODE_FLAGS: readonly string[] = shebangNodeFlags(CLI_BIN);
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');

/** server-everything's stdio entry, found from its package.json's bin. */
export function everythingServerArgv(): string[] {
  const packageJson = require.resolve('@modelcontextprotocol/server-everything/package.json');
  const { bin } = JSON.parse(readFileSync(packageJson, 'utf8')) as { bin: string | Record<string, string> };
  const entry = typeof bin === 'string' ? bin : Object.values(bin)[0];
  return [process.execPath, join(dirname(packageJson), entry), 'stdio'];
}

/** The tests drive the built CLI; `npm test` builds first, a bare `npx jest` may not have. */
export function assertBuilt(): void {
  if (!existsSync(CLI_DIST)) {
    throw new Error(`The CLI is not built (${CLI_DIST} is missing). Run \`npm run build\` (or \`npm test\`, which builds first).`);
  }
}
