/**
 * Keys people write that are not ours, with what to write instead. Beyond "did you mean"
 * (did-you-mean.ts): these are different words for the same thing, or things that must
 * never be in a config file at all.
 */

export interface KeyHint {
  /** The key to write instead, relative to the same root. */
  instead?: string;
  /** A sentence that replaces the usual "did you mean". */
  say?: string;
}

const SECRET_HINT =
  'secrets never go in the config file: write the key to a file only you can read (chmod 600) and set security.apiKeyFile to its path';
const TOKEN_HINT =
  'the registration token is not configuration: give it to `mcp-workstation register` (--token-file, MCP_WORKSTATION_REGISTRATION_TOKEN or stdin)';

/** Keyed by the last segment, lower-cased, without '-' or '_'. */
export const ROOT_KEY_HINTS: Record<string, KeyHint> = {
  apikey: { say: SECRET_HINT },
  token: { say: TOKEN_HINT },
  registrationtoken: { say: TOKEN_HINT },
  mcpservers: { instead: 'servers', say: "mcpServers is Claude Desktop's key; here it is servers (its command, args and env keep the same shape)" },
  loglevel: { instead: 'logLevel' },
  cors: { instead: 'security.corsOrigins' },
};

export const SERVER_KEY_HINTS: Record<string, KeyHint> = {
  name: { say: 'in a map of servers the key above is the name: remove name, or write servers as a list of entries with a name each' },
  environment: { instead: 'env' },
  arguments: { instead: 'args' },
  argv: { instead: 'args' },
  workdir: { instead: 'cwd' },
  workingdirectory: { instead: 'cwd' },
  dir: { instead: 'cwd' },
  directory: { instead: 'cwd' },
  mode: { instead: 'sessionMode' },
  timeout: { instead: 'startTimeoutMs' },
  type: { say: 'only stdio servers are run: give command (and args); the type is always stdio' },
  url: { say: 'only stdio servers are run here: a remote (URL) server needs no workstation agent' },
  transport: { say: 'only stdio servers are run: give command (and args); the transport is always stdio' },
};

export function hintFor(hints: Record<string, KeyHint>, key: string): KeyHint | undefined {
  const last = key.slice(key.lastIndexOf('.') + 1).toLowerCase().replace(/[-_]/g, '');
  return Object.hasOwn(hints, last) ? hints[last] : undefined;
}
