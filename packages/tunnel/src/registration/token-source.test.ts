import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { defaultTokenSources, readRegistrationToken, TOKEN_ENV_VAR } from './token-source.js';
import { RegistrationError } from './registration-error.js';

const TOKEN = 'rt_Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA';

let dir: string;
let logged: string[];
const logger = {
  info: (message: string, meta?: Record<string, unknown>) => logged.push(`info ${message} ${JSON.stringify(meta ?? {})}`),
  warn: (message: string, meta?: Record<string, unknown>) => logged.push(`warn ${message} ${JSON.stringify(meta ?? {})}`),
};
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'token-source-'));
  logged = [];
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const pipedStdin = (text: string) => ({ stream: Readable.from([Buffer.from(text)]), piped: true });
const terminal = () => ({ stream: Readable.from([Buffer.from('never read')]), piped: false });

async function tokenFile(content: string, mode = 0o600): Promise<string> {
  const file = path.join(dir, 'token');
  await fs.writeFile(file, content);
  await fs.chmod(file, mode);
  return file;
}

test('reads a token file, trimming whitespace, and prefers it to the environment and stdin', async () => {
  const file = await tokenFile(`  ${TOKEN}\n\n`);
  const found = await readRegistrationToken({
    sources: defaultTokenSources(file),
    env: { [TOKEN_ENV_VAR]: 'from-env' },
    stdin: pipedStdin('from-stdin'),
    logger,
  });
  expect(found).toEqual({ token: TOKEN, source: `file ${file}` });
  expect(logged).toEqual([]);
});

test('a token file other users can read is used with a warning that names chmod 600 and not the token', async () => {
  const file = await tokenFile(TOKEN, 0o644);
  expect((await readRegistrationToken({ sources: [{ kind: 'file', path: file }], logger })).token).toBe(TOKEN);
  expect(logged).toHaveLength(1);
  expect(logged[0]).toContain(`chmod 600 ${file}`);
  expect(logged[0]).not.toContain(TOKEN);
});

test('a named token file that cannot be read is an error, not a fall-through to the environment', async () => {
  const missing = path.join(dir, 'missing');
  const error = await readRegistrationToken({ sources: defaultTokenSources(missing), env: { [TOKEN_ENV_VAR]: TOKEN } }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RegistrationError);
  expect((error as Error).message).toContain(`cannot read the token file ${missing} (ENOENT)`);
  await expect(readRegistrationToken({ sources: [{ kind: 'file', path: await tokenFile(' \n') }] })).rejects.toThrow(/is empty/);
});

test('the environment variable, then piped stdin', async () => {
  expect(await readRegistrationToken({ sources: defaultTokenSources(), env: { [TOKEN_ENV_VAR]: ` ${TOKEN} ` }, stdin: pipedStdin('x') })).toEqual({
    token: TOKEN,
    source: `environment variable ${TOKEN_ENV_VAR}`,
  });
  expect(await readRegistrationToken({ sources: defaultTokenSources(), env: { [TOKEN_ENV_VAR]: '' }, stdin: pipedStdin(`${TOKEN}\n`) })).toEqual({
    token: TOKEN,
    source: 'stdin',
  });
});

test('the caller decides the order', async () => {
  const file = await tokenFile('from-file');
  const found = await readRegistrationToken({ sources: [{ kind: 'stdin' }, { kind: 'file', path: file }], stdin: pipedStdin(TOKEN) });
  expect(found.token).toBe(TOKEN);
});

test('no token anywhere (stdin a terminal) names all three ways to give one', async () => {
  const error = await readRegistrationToken({ sources: defaultTokenSources(), env: {}, stdin: terminal() }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RegistrationError);
  expect((error as RegistrationError).code).toBe('no_token');
  expect((error as Error).message).toMatch(/--token-file <file>.*MCP_WORKSTATION_REGISTRATION_TOKEN.*stdin/);
});

test('several lines are refused without repeating any of them', async () => {
  const file = await tokenFile(`${TOKEN}\nsecond-line-secret\n`);
  const error = await readRegistrationToken({ sources: [{ kind: 'file', path: file }] }).catch((e: unknown) => e);
  expect((error as Error).message).toMatch(/more than one word or line/);
  expect((error as Error).message).not.toContain(TOKEN);
  expect((error as Error).message).not.toContain('second-line-secret');
});
