import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseTunnelBlock, type Parsed, type TunnelBlock } from '@mcp-workstation/protocol';
import {
  StateError,
  checkStateDir,
  ensureStateDir,
  generateKeyPair,
  publicKeyFromPrivate,
  readJsonFile,
  removeFile,
  removeStaleTempFiles,
  syncDirectory,
  writeJsonAtomic,
  type GenerateKeyPair,
  type WireGuardKeyPair as KeyPair,
} from '@mcp-workstation/wireguard';
import {
  STATE_FORMAT,
  StateFiles,
  parseIdentityFile,
  parseKeysFile,
  parseRevokedFile,
  parseTunnelFile,
  type IdentityFile,
  type KeysFile,
} from './state-files.js';

/** Who this agent is to its gateway (protocol.md §1). `agentSecret` is a credential: never log it. */
export interface AgentIdentity {
  agentId: string;
  agentSecret: string;
  /** The name the agent registered with. */
  name?: string;
  gatewayUrl: string;
  controlUrl: string;
  /** RFC 3339 UTC. */
  registeredAt: string;
}

export interface AgentKeys {
  /** The key the gateway last confirmed (or, right after registration, the registered one). */
  current: KeyPair;
  /** A rotation's new key, kept beside the current one until the gateway confirms it. */
  pending: KeyPair | null;
}

export interface AgentState {
  identity: AgentIdentity;
  tunnel: TunnelBlock;
  keys: AgentKeys;
}

export interface Registration {
  identity: AgentIdentity;
  tunnel: TunnelBlock;
  keyPair: KeyPair;
}

export interface RevocationNote {
  agentId: string | null;
  gatewayUrl: string | null;
  reason: string;
  revokedAt: string;
}

/** What an `agentPublicKey` from `welcome`/`config` meant (protocol.md §2 Keys). */
export type KeyConfirmation = 'current' | 'promoted' | 'unknown';

export interface AgentStateStoreOptions {
  /** Default: a Curve25519 key pair from node:crypto. */
  generateKeyPair?: GenerateKeyPair;
  now?: () => Date;
}

/** The key the agent announces in `hello`: the pending one during a rotation, else the current one. */
export function newestKeyPair(keys: AgentKeys): KeyPair {
  return keys.pending ?? keys.current;
}

const REGISTER_AGAIN = 'register again with a new token (mcp-workstation register), or restore the file from a backup';

/**
 * The agent's identity, tunnel block and keys in its state directory (protocol.md §1, §2):
 * directory 0700, files 0600, every write atomic. Operations run one at a time, so a `config`
 * and a `rotate` handled together cannot lose each other's write.
 */
export class AgentStateStore {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly generateKeyPair: GenerateKeyPair;
  private readonly now: () => Date;

  constructor(
    readonly dir: string,
    options: AgentStateStoreOptions = {},
  ) {
    this.generateKeyPair = options.generateKeyPair ?? generateKeyPair;
    this.now = options.now ?? (() => new Date());
  }

  /** The saved registration; null when there is none (never registered, or revoked). Throws StateError with the fix. */
  load(): Promise<AgentState | null> {
    return this.exclusive(() => this.read());
  }

  /** Why and when this agent's identity was revoked, if it was and has not registered since. */
  readRevocation(): Promise<RevocationNote | null> {
    return this.exclusive(async () => {
      if (!(await checkStateDir(this.dir))) return null;
      const note = await this.readRevokedFile();
      return note && { agentId: note.agentId, gatewayUrl: note.gatewayUrl, reason: note.reason, revokedAt: note.revokedAt };
    });
  }

  /** Saves a new registration. It replaces the previous identity entirely: its secret and keys are gone. */
  saveRegistration(registration: Registration): Promise<AgentState> {
    return this.exclusive(async () => {
      await ensureStateDir(this.dir);
      await removeStaleTempFiles(this.dir);
      const { identity, tunnel, keyPair } = registration;
      // identity.json last: it is what makes the registration count when load() reads it back.
      await this.writeKeys({ format: STATE_FORMAT, agentId: identity.agentId, current: { privateKey: keyPair.privateKey }, pending: null });
      await this.writeState(StateFiles.tunnel, { format: STATE_FORMAT, agentId: identity.agentId, tunnel });
      await this.writeState(StateFiles.identity, { format: STATE_FORMAT, ...identity });
      await removeFile(this.file(StateFiles.revoked));
      await syncDirectory(this.dir);
      return this.readRequired();
    });
  }

  /** Saves a tunnel block from `welcome`/`config` when it differs from the saved one; true when it did. */
  saveTunnel(block: TunnelBlock): Promise<boolean> {
    return this.exclusive(async () => {
      const parsed = parseTunnelBlock(block);
      if (!parsed.ok) throw new TypeError(`not a valid tunnel block: ${parsed.reason}`);
      const state = await this.readRequired();
      if (isDeepStrictEqual(plainJson(state.tunnel), plainJson(parsed.value))) return false;
      await this.writeState(StateFiles.tunnel, { format: STATE_FORMAT, agentId: state.identity.agentId, tunnel: parsed.value });
      return true;
    });
  }

  /**
   * The key pair for a `rotate`: a new one saved beside the current key, or the pending one
   * when a rotation is still unconfirmed (protocol.md §2: answered with the same pending key).
   */
  addPendingKey(): Promise<KeyPair> {
    return this.exclusive(async () => {
      const state = await this.readRequired();
      if (state.keys.pending !== null) return state.keys.pending;
      const pending = this.generateKeyPair();
      await this.writeKeys({
        format: STATE_FORMAT,
        agentId: state.identity.agentId,
        current: { privateKey: state.keys.current.privateKey },
        pending: { privateKey: pending.privateKey },
      });
      return pending;
    });
  }

  /**
   * Applies the gateway's `agentPublicKey`: the pending key becomes current (and the old private
   * key is deleted) only now, when the gateway has installed it. 'unknown' changes nothing.
   */
  confirmKey(publicKey: string): Promise<KeyConfirmation> {
    return this.exclusive(async () => {
      const { identity, keys } = await this.readRequired();
      if (keys.pending !== null && keys.pending.publicKey === publicKey) {
        await this.writeKeys({ format: STATE_FORMAT, agentId: identity.agentId, current: { privateKey: keys.pending.privateKey }, pending: null });
        return 'promoted';
      }
      return keys.current.publicKey === publicKey ? 'current' : 'unknown';
    });
  }

  /**
   * Revocation (protocol.md §2): deletes the agentSecret and every key pair, keeping only a note
   * of why (revoked.json), so status and logs can say "revoked: <reason>" after a restart too.
   * Works on corrupt state as well: a revoked identity must not survive because a file was bad.
   */
  forgetSecrets(reason: string): Promise<void> {
    return this.exclusive(async () => {
      if (!(await checkStateDir(this.dir))) return;
      const identity = await this.readIdentityFile().catch(() => null);
      await this.writeState(StateFiles.revoked, {
        format: STATE_FORMAT,
        agentId: identity?.agentId ?? null,
        gatewayUrl: identity?.gatewayUrl ?? null,
        reason,
        revokedAt: this.now().toISOString(),
      });
      await this.removeRegistrationFiles();
    });
  }

  private async read(): Promise<AgentState | null> {
    if (!(await checkStateDir(this.dir))) return null;
    await removeStaleTempFiles(this.dir);
    const identity = await this.readIdentityFile();
    if (identity === null) return null;
    const revoked = await this.readRevokedFile();
    if (revoked !== null && revoked.agentId === identity.agentId) {
      // A revocation was interrupted before it had deleted everything: finish it.
      await this.removeRegistrationFiles();
      return null;
    }
    const keys = await this.readMatching(StateFiles.keys, parseKeysFile, identity.agentId);
    const tunnel = await this.readMatching(StateFiles.tunnel, parseTunnelFile, identity.agentId);
    return { identity: toIdentity(identity), tunnel: tunnel.tunnel, keys: toKeys(keys) };
  }

  private async readRequired(): Promise<AgentState> {
    const state = await this.read();
    if (state === null) {
      throw new StateError(this.dir, 'this agent is not registered', 'register it first: mcp-workstation register --gateway <url> --token-file <file>');
    }
    return state;
  }

  /** Reads a file that must exist beside identity.json and belong to the same registration. */
  private async readMatching<T extends { agentId: string }>(
    name: string,
    parse: (input: unknown) => Parsed<T>,
    agentId: string,
  ): Promise<T> {
    const file = this.file(name);
    const content = await readJsonFile(file, parse, REGISTER_AGAIN);
    if (content === null) throw new StateError(file, `it is missing although ${StateFiles.identity} exists`, REGISTER_AGAIN);
    if (content.agentId !== agentId) {
      throw new StateError(
        file,
        `it belongs to agent ${content.agentId} but ${StateFiles.identity} to ${agentId} (a registration was interrupted)`,
        REGISTER_AGAIN,
      );
    }
    return content;
  }

  private readIdentityFile(): Promise<IdentityFile | null> {
    return readJsonFile(this.file(StateFiles.identity), parseIdentityFile, REGISTER_AGAIN);
  }

  private readRevokedFile() {
    const file = this.file(StateFiles.revoked);
    return readJsonFile(file, parseRevokedFile, `remove ${file} (it only records an old revocation)`);
  }

  private async removeRegistrationFiles(): Promise<void> {
    // Keys first: whatever a crash leaves behind, it is never a private key without its revocation note.
    await removeFile(this.file(StateFiles.keys));
    await removeFile(this.file(StateFiles.identity));
    await removeFile(this.file(StateFiles.tunnel));
    await syncDirectory(this.dir);
  }

  private writeKeys(keys: KeysFile): Promise<void> {
    return this.writeState(StateFiles.keys, keys);
  }

  private writeState(name: string, content: object): Promise<void> {
    return writeJsonAtomic(this.file(name), content);
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function toIdentity(file: IdentityFile): AgentIdentity {
  const { format: _format, ...identity } = file;
  return identity;
}

function toKeys(file: KeysFile): AgentKeys {
  const pair = (privateKey: string): KeyPair => ({ privateKey, publicKey: publicKeyFromPrivate(privateKey) });
  return { current: pair(file.current.privateKey), pending: file.pending && pair(file.pending.privateKey) };
}

/** Drops undefined members, so an optional field left out and one set to undefined compare equal. */
function plainJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}
