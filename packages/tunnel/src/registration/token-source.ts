import { fstatSync, promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import { formatMode, GROUP_OR_WORLD_ACCESS } from '@mcp-workstation/wireguard';
import { silentLogger, type RegistrationLogger } from './logger.js';
import { RegistrationError } from './registration-error.js';

export const TOKEN_ENV_VAR = 'MCP_WORKSTATION_REGISTRATION_TOKEN';

/** Where a registration token may come from. Never argv: other users can read a process's arguments. */
export type TokenSource = { kind: 'file'; path: string } | { kind: 'env'; name?: string } | { kind: 'stdin' };

export interface StdinSource {
  stream: Readable;
  /** True when stdin is a pipe or a redirected file; a terminal or nothing is never waited on. */
  piped: boolean;
}

export interface ReadTokenOptions {
  /** Tried in this order; the first that holds a token wins. */
  sources: ReadonlyArray<TokenSource>;
  env?: NodeJS.ProcessEnv;
  stdin?: StdinSource;
  logger?: RegistrationLogger;
}

export interface RegistrationToken {
  token: string;
  /** Where it came from, for messages (never the token itself). */
  source: string;
}

/** A token is short; a huge stdin is a mistake (a wrong file piped in), not a token. */
const MAX_TOKEN_INPUT_BYTES = 64 * 1024;

const NO_TOKEN_FIX = `give the registration token in a file (--token-file <file>), in the environment variable ${TOKEN_ENV_VAR}, or on stdin (for example: mcp-workstation register … < token.txt)`;

/** The usual order: the file the operator named, then the environment, then stdin. */
export function defaultTokenSources(tokenFile?: string): TokenSource[] {
  return [...(tokenFile !== undefined ? [{ kind: 'file' as const, path: tokenFile }] : []), { kind: 'env' }, { kind: 'stdin' }];
}

/** Reads the registration token from the first source that has one. */
export async function readRegistrationToken(options: ReadTokenOptions): Promise<RegistrationToken> {
  const logger = options.logger ?? silentLogger;
  for (const source of options.sources) {
    const found = await readFrom(source, options, logger);
    if (found !== null) return found;
  }
  throw new RegistrationError('no_token', 'no registration token was given', NO_TOKEN_FIX);
}

async function readFrom(source: TokenSource, options: ReadTokenOptions, logger: RegistrationLogger): Promise<RegistrationToken | null> {
  switch (source.kind) {
    case 'file':
      // A file the operator named must work: falling through to another source would hide the mistake.
      return { token: singleLine(await readTokenFile(source.path, logger), `the token file ${source.path}`), source: `file ${source.path}` };
    case 'env': {
      const name = source.name ?? TOKEN_ENV_VAR;
      const value = (options.env ?? process.env)[name]?.trim();
      return value ? { token: singleLine(value, `the environment variable ${name}`), source: `environment variable ${name}` } : null;
    }
    case 'stdin': {
      const stdin = options.stdin ?? processStdin();
      if (!stdin.piped) return null;
      const value = (await readAll(stdin.stream)).trim();
      return value ? { token: singleLine(value, 'stdin'), source: 'stdin' } : null;
    }
  }
}

async function readTokenFile(file: string, logger: RegistrationLogger): Promise<string> {
  let content: string;
  try {
    const stats = await fs.stat(file);
    if ((stats.mode & GROUP_OR_WORLD_ACCESS) !== 0) {
      logger.warn(`the token file ${file} can be read by other users (mode ${formatMode(stats.mode)}): chmod 600 ${file}`, { file });
    }
    content = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new RegistrationError('token_file_unreadable', `cannot read the token file ${file} (${code})`, `check the path and its permissions, or ${NO_TOKEN_FIX}`);
  }
  const token = content.trim();
  if (token === '') throw new RegistrationError('token_file_empty', `the token file ${file} is empty`, 'put the token the gateway printed (mcp-workstation-gateway token create) into it');
  return token;
}

/** A token is one line; refuse several without repeating any of them. */
function singleLine(token: string, where: string): string {
  if (/\s/.test(token)) {
    throw new RegistrationError('invalid_token', `${where} holds more than one word or line`, 'give the registration token alone, as the gateway printed it');
  }
  return token;
}

function processStdin(): StdinSource {
  let piped = false;
  try {
    const stats = fstatSync(0);
    piped = stats.isFIFO() || stats.isFile();
  } catch {
    piped = false; // no stdin at all
  }
  return { stream: process.stdin, piped };
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_TOKEN_INPUT_BYTES) {
      throw new RegistrationError('invalid_token', `stdin holds more than ${MAX_TOKEN_INPUT_BYTES} bytes, which is not a registration token`, 'pipe only the token into stdin');
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
