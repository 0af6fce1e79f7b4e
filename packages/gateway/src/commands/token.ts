import { parseArgs } from 'node:util';
import { parseDuration } from '../cli/duration.js';
import { PROGRAM, type CliIo } from '../cli/io.js';
import { HELP_OPTION, withUsageErrors } from '../cli/parse.js';
import { UsageError } from '../cli/usage-error.js';
import { ensureStateDir } from '@mcp-workstation/wireguard';
import { defaultStateDir } from '../store/state-dir.js';
import { TokenStore } from '../store/token-store.js';

export const TOKEN_HELP = `Usage: ${PROGRAM} token create [--ttl DURATION] [--state-dir DIR]

Makes a single-use registration token and prints it ONCE on stdout; the gateway keeps only
its SHA-256. Works whether or not serve is running (serve reads tokens at each registration).
Hand it to the agent's operator through a file, never on a command line:
  mcp-workstation register --gateway <gateway URL> --token-file <file>

Options:
  --ttl DURATION     how long it stays valid: 30m, 1h (default), 7d
  --state-dir DIR    the gateway's state directory (default ${defaultStateDir()})
  -h, --help         this help

Examples:
  ${PROGRAM} token create > token && chmod 600 token
  ${PROGRAM} token create --ttl 7d --state-dir /var/lib/mcp-workstation-gateway
`;

const DEFAULT_TTL = '1h';

export async function tokenCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors('token', () =>
    parseArgs({ args, options: { ttl: { type: 'string' }, 'state-dir': { type: 'string' }, ...HELP_OPTION }, allowPositionals: true, strict: true }),
  );
  if (values.help || positionals.length === 0) return io.stdout.write(TOKEN_HELP), values.help ? 0 : 2;
  if (positionals[0] !== 'create' || positionals.length > 1) {
    throw new UsageError(`unknown token command "${positionals.join(' ')}": the one there is is \`token create\` (see: ${PROGRAM} token --help)`);
  }
  const ttlMs = parseDuration('--ttl', values.ttl ?? DEFAULT_TTL);
  const stateDir = values['state-dir'] ?? defaultStateDir(io.env);
  await ensureStateDir(stateDir);
  const { token, expiresAt } = await new TokenStore(stateDir).create(ttlMs);
  io.stdout.write(`${token}\n`);
  io.stderr.write(`single-use registration token, valid until ${expiresAt}; it is not shown again\n`);
  return 0;
}
