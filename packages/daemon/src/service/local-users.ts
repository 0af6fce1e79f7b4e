import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { userInfo } from 'node:os';
import * as path from 'node:path';
import { ensureStateDir, resolveStateDir } from '@mcp-workstation/tunnel';
import { socketOwner, type ConnectionEnds, type SocketOwner, type SocketOwnerOptions } from './socket-owner.js';

/**
 * Only the daemon's own user (and root) may use the local MCP listener: on a shared machine
 * another user's process must not act with this user's credentials (the AWS identity behind
 * the servers). On Linux the kernel says who opened each connection (socket-owner.ts); others
 * are refused with 403, unless they send the API key. The verdict is reached once per
 * connection, when it is accepted, and kept with the socket: a request costs a WeakMap lookup.
 *
 * Where the owner cannot be known (not Linux, /proc/net unreadable, a peer on another machine)
 * the connection passes, as before; the start-up log, `doctor` and docs/security.md say so and
 * how to require the API key instead. Sockets of the WireGuard tunnel never meet this gate:
 * they are handed to the tunnel's own ingress, whose peer is the gateway (and whose filter is
 * the tunnel's allowedIps).
 */

export const LOCAL_API_KEY_FILE = 'api-key';

export interface AcceptedKey {
  key: string;
  /** Where a person finds it, for the refusal and the start-up line: "/home/me/.local/state/mcp-workstation/api-key". */
  where: string;
}

export interface LocalUserGateOptions {
  ownUid: number;
  ownUser: string;
  /** The key that lets another user in; without one the refusal says how to set one up. */
  apiKey?: AcceptedKey;
  /** Paths anyone may ask (health probes carry no secrets): as the bridge exempts them from the API key. */
  openPaths?: readonly string[];
  owner?: SocketOwnerOptions;
}

/** A refusal the front answers with: status 403 and a JSON-RPC error body like every other refusal. */
export interface LocalUserRefusal {
  status: 403;
  body: { jsonrpc: '2.0'; id: null; error: { code: number; message: string } };
}

type Verdict = { pass: true } | { pass: false; who: string };

export class LocalUserGate {
  private readonly verdicts = new WeakMap<object, Verdict | Promise<Verdict>>();
  private readonly keyDigest: Buffer | undefined;
  private readonly openPaths: Set<string>;

  constructor(private readonly options: LocalUserGateOptions) {
    this.keyDigest = options.apiKey ? digest(options.apiKey.key) : undefined;
    this.openPaths = new Set(['/healthz', '/readyz', ...(options.openPaths ?? [])]);
  }

  /** Starts identifying a newly accepted connection's owner (call on the server's 'connection'). */
  observe(socket: ConnectionEnds & object): void {
    if (this.verdicts.has(socket)) return;
    const pending = socketOwner(socket, this.options.owner).then(
      (owner) => this.judge(owner),
      (): Verdict => ({ pass: false, who: 'a user that could not be identified' }),
    );
    this.verdicts.set(socket, pending);
    void pending.then((verdict) => {
      if (this.verdicts.get(socket) === pending) this.verdicts.set(socket, verdict);
    });
  }

  /**
   * null when the request may go on; a refusal otherwise. Synchronous once the connection's
   * owner is known (always, after its first request); a Promise only while it is looked up.
   */
  check(req: IncomingMessage, pathname: string): LocalUserRefusal | null | Promise<LocalUserRefusal | null> {
    if (this.openPaths.has(pathname)) return null;
    const socket = req.socket;
    let verdict = this.verdicts.get(socket);
    if (verdict === undefined) {
      this.observe(socket);
      verdict = this.verdicts.get(socket)!;
    }
    if (verdict instanceof Promise) return verdict.then((known) => this.answer(known, req));
    return this.answer(verdict, req);
  }

  private judge(owner: SocketOwner): Verdict {
    switch (owner.kind) {
      case 'uid':
        return owner.uid === this.options.ownUid || owner.uid === 0 ? { pass: true } : { pass: false, who: `uid ${owner.uid}` };
      case 'not-found':
        return { pass: false, who: 'a user that could not be identified (its socket was not in /proc/net/tcp)' };
      case 'remote':
      case 'unknown':
        return { pass: true };
    }
  }

  private answer(verdict: Verdict, req: IncomingMessage): LocalUserRefusal | null {
    if (verdict.pass) return null;
    if (this.keyDigest && bearerMatches(req.headers.authorization, this.keyDigest)) return null;
    return this.refusal(verdict.who, req.headers.authorization !== undefined);
  }

  private refusal(who: string, sentAKey: boolean): LocalUserRefusal {
    const { ownUser, ownUid, apiKey } = this.options;
    const keyHint = apiKey
      ? `or send this daemon's API key as "Authorization: Bearer <key>", the key being ${apiKey.where} (readable by ${ownUser} only)`
      : 'or give the daemon an API key (security.apiKeyFile, --api-key-file) and send it as "Authorization: Bearer <key>"';
    const wrongKey = sentAKey ? ' The Authorization header sent is not this daemon\'s API key.' : '';
    return {
      status: 403,
      body: {
        jsonrpc: '2.0',
        id: null,
        error: {
          code: -32000,
          message:
            `Forbidden: this connection was opened by ${who}, and only ${whoMay(ownUser, ownUid)} may use this daemon's ` +
            `local listener: its servers act with ${ownUser}'s credentials.${wrongKey} Fix: run the client as ${ownUser}, ${keyHint}. See docs/security.md.`,
        },
      },
    };
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  if (header === undefined) return false;
  const match = /^Bearer[ \t]+(.+)$/i.exec(header.trim());
  return match !== null && timingSafeEqual(digest(match[1]!.trim()), expected);
}

/**
 * The daemon's local API key: `<stateDir>/api-key`, made at first start (mode 0600, in the
 * state directory's 0700) and read on every later one. Two daemons starting together agree:
 * the file appears whole or not at all (written aside, then linked into place).
 */
export async function ensureLocalApiKey(stateDir: string): Promise<{ key: string; file: string; created: boolean }> {
  const file = path.join(stateDir, LOCAL_API_KEY_FILE);
  const existing = await readKey(file);
  if (existing !== undefined) return { key: existing, file, created: false };
  await ensureStateDir(stateDir);
  const key = `mcpw_${randomBytes(32).toString('base64url')}`;
  const temp = path.join(stateDir, `.${LOCAL_API_KEY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(`${key}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.link(temp, file);
    return { key, file, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const other = await readKey(file);
    if (other === undefined) throw new Error(`${file} appeared empty`);
    return { key: other, file, created: false };
  } finally {
    await fs.rm(temp, { force: true });
  }
}

async function readKey(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const stats = await fs.stat(file);
  if ((stats.mode & 0o077) !== 0) throw new Error(`${file} can be read by other users; restrict it: chmod 600 ${file}`);
  const key = text.trim();
  if (key === '') throw new Error(`${file} is empty; delete it and a new key is made at the next start`);
  return key;
}

export interface LocalUsersSettings {
  /** Where the daemon's own API key is kept; unset: the default state directory. */
  stateDir?: string;
  /** The API key every client must send (security.apiKeyFile…), when one is configured: it is the one that lets other users in too. */
  configuredKey?: string;
  /** Health endpoints of the bridges (bridge --healthEndpoint): open to anyone, like /healthz. */
  openPaths?: readonly string[];
}

/**
 * The gate for the loopback listener, with the key other users may send: the configured API
 * key if there is one (every client needs it then anyway), else the daemon's own, made at
 * first start. Says once, in the log, who may connect and how another user's client gets in.
 */
export async function startLocalUserGate(settings: LocalUsersSettings, logger: { info(message: string): void; warn(message: string): void }): Promise<LocalUserGate> {
  const ownUid = process.getuid?.() ?? -1;
  const ownUser = userName(ownUid);
  let apiKey: AcceptedKey | undefined;
  let keyFile: string | undefined;
  if (settings.configuredKey !== undefined) {
    apiKey = { key: settings.configuredKey, where: 'the one this daemon was started with (security.apiKeyFile, --api-key-file or MCP_WORKSTATION_API_KEY)' };
  } else {
    const stateDir = settings.stateDir ?? resolveStateDir({ env: process.env });
    try {
      const local = await ensureLocalApiKey(stateDir);
      keyFile = local.file;
      apiKey = { key: local.key, where: `in ${local.file}` };
      if (local.created) logger.info(`made this daemon's API key for other local users: ${local.file} (mode 0600)`);
    } catch (error) {
      logger.warn(`no API key for other local users (${error instanceof Error ? error.message : String(error)}); they are refused`);
    }
  }
  const gate = new LocalUserGate({ ownUid, ownUser, apiKey, openPaths: settings.openPaths });
  const probe = await ownerLookupWorks();
  const header = keyFile ? `"Authorization: Bearer $(cat ${keyFile})"` : '"Authorization: Bearer <the API key>"';
  if (probe === true) {
    logger.info(`only ${whoMay(ownUser, ownUid)} may use the MCP listener from this machine; another user's client must send ${header}`);
  } else {
    logger.warn(
      `${probe}: any local user can use these servers, with ${ownUser}'s credentials. ` +
        `To require a key from every client, start with --api-key-file ${keyFile ?? '<file>'} (security.apiKeyFile); clients then send ${header}. See docs/security.md.`,
    );
  }
  return gate;
}

/** true when this system tells who opened a loopback connection; else why not. */
export async function ownerLookupWorks(options: SocketOwnerOptions = {}): Promise<true | string> {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') return `${platform} does not tell which user opened a connection`;
  const dir = options.procNetDir ?? '/proc/net';
  try {
    await fs.access(`${dir}/tcp`, fsConstants.R_OK);
    return true;
  } catch {
    return `${dir}/tcp cannot be read here (a restricted container?), so the user behind a connection is unknown`;
  }
}

function whoMay(ownUser: string, ownUid: number): string {
  return ownUid === 0 ? 'root' : `${ownUser} (uid ${ownUid}) and root`;
}

function userName(uid: number): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${uid}`;
  }
}
