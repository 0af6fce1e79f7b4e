import { basename, extname } from 'node:path';
import { isServerName, usableServerName } from '../config/server-names.js';
import { SERVER_NAME_RULE } from '../config/server-schema.js';
import { UsageError } from '../errors.js';

/**
 * Server names tag logs and errors ("server mcp-proxy-for-aws exited…") and form URL paths
 * (/servers/<name>/mcp). One rule everywhere, the config's (protocol.md §1 announces the same
 * names to the gateway): 1 to 63 of [a-z0-9-], starting with a letter or digit.
 */
export function checkServerName(name: string, flag = '--name'): string {
  if (isServerName(name)) return name;
  const better = usableServerName(name);
  throw new UsageError(
    `${flag} '${name}' is not a usable server name: use ${SERVER_NAME_RULE}${better ? `, for example ${flag} ${better}` : ''}.`,
  );
}

/** Programs that run a package or script named by a later argument. */
const LAUNCHERS = new Set(['npx', 'uvx', 'uv', 'node', 'python', 'python3', 'bunx', 'bun', 'deno', 'pnpm', 'yarn', 'pipx', 'sh', 'bash']);
/** Sub-commands of launchers that are not the package: `uv tool run x`, `pnpm dlx x`, `deno run x`. */
const LAUNCHER_WORDS = new Set(['run', 'tool', 'dlx', 'exec', 'x']);

/**
 * A readable name for a command when the user gave none: `uvx mcp-proxy-for-aws==1.6.1 …`
 * gives "mcp-proxy-for-aws", `npx -y @modelcontextprotocol/server-everything` gives
 * "server-everything", `./bin/my-server` gives "my-server". Falls back to "default".
 */
export function serverNameFromArgv(argv: string[]): string {
  const [program, ...rest] = argv;
  if (program === undefined) return 'default';
  const programName = basename(program);
  const subject = LAUNCHERS.has(programName) ? rest.find((word) => !word.startsWith('-') && !LAUNCHER_WORDS.has(word)) : program;
  return sanitize(subject ?? programName) || 'default';
}

/** Script names that say nothing about the server: name it after its package folder instead. */
const GENERIC_STEMS = new Set(['index', 'main', 'cli', 'server', 'start']);
const BUILD_FOLDERS = new Set(['dist', 'build', 'lib', 'src', 'bin', 'out']);

function sanitize(word: string): string {
  const withoutVersion = word.replace(/==.*$/, '').replace(/(.)@[^/]*$/, '$1');
  const last = meaningfulSegment(withoutVersion);
  const stem = extname(last) === '.js' || extname(last) === '.py' || extname(last) === '.ts' ? last.slice(0, -extname(last).length) : last;
  return usableServerName(stem) ?? '';
}

function meaningfulSegment(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.' && segment !== '..');
  let index = segments.length - 1;
  const last = segments[index] ?? '';
  if (!GENERIC_STEMS.has(last.replace(/\.[a-z]+$/, ''))) return last;
  while (index > 0 && (index === segments.length - 1 || BUILD_FOLDERS.has(segments[index]))) index--;
  return index === segments.length - 1 ? last : segments[index];
}
