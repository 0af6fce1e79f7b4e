import type { RegisterRequest } from '@mcp-workstation/protocol';
import type { GatewayLogger } from '../log/logger.js';
import type { AddressPool } from '../store/address-pool.js';
import type { AgentRecord, AgentStore } from '../store/agent-store.js';
import { matchesHash, newAgentId, newCredential, sha256Hex } from '../store/secrets.js';
import type { GatewayPeer, GatewayWireGuard } from '../wireguard/types.js';
import { Serial } from './serial.js';

/** Uses the registration token up for the new agent, or says why it no longer can. */
export interface TokenClaim {
  claim(agentId: string): Promise<{ code: 'invalid_token' | 'token_used'; message: string } | null>;
  /** Gives the token back when the registration failed after the claim. */
  release(): Promise<void>;
}

export type RegistrationOutcome =
  | { ok: true; agent: AgentRecord; secret: string }
  | { ok: false; code: 'key_in_use' | 'unavailable' | 'invalid_token' | 'token_used'; message: string };

export interface KeyInstallation {
  /** The key now installed as the agent's peer (what `welcome`/`config` report). */
  installed: string;
  changed: boolean;
  /** Set when the offered key was refused because another agent holds it. */
  refusedFor?: string;
}

const SECRET_PREFIX = 'mwsec_';

/**
 * The registered agents and their WireGuard peers, kept in step: every change goes to the
 * state file, then to the interface, one change at a time.
 */
export class AgentDirectory {
  private readonly serial = new Serial();

  constructor(
    private readonly store: AgentStore,
    readonly pool: AddressPool,
    private readonly wireguard: GatewayWireGuard,
    private readonly log: GatewayLogger,
  ) {}

  get(id: string): AgentRecord | undefined {
    return this.store.get(id);
  }

  list(): AgentRecord[] {
    return this.store.list();
  }

  peers(): GatewayPeer[] {
    return this.list().map((agent) => ({ publicKey: agent.publicKey, address: agent.address }));
  }

  /** The agent whose secret this is, or undefined: an unknown id and a wrong secret look alike. */
  authenticate(id: string, secret: string): AgentRecord | undefined {
    const agent = this.store.get(id);
    return agent && matchesHash(secret, agent.secretHash) ? agent : undefined;
  }

  register(request: RegisterRequest, token: TokenClaim): Promise<RegistrationOutcome> {
    return this.serial.run(async () => {
      const holder = this.store.holderOfKey(request.publicKey);
      if (holder) return { ok: false, code: 'key_in_use', message: 'publicKey: another agent already has this WireGuard public key' };
      const address = this.pool.allocate(this.store.addresses());
      if (address === null) {
        this.log.error(`registration refused: no tunnel address left in ${this.pool.cidr}`);
        return { ok: false, code: 'unavailable', message: 'the gateway has no tunnel address left; ask its operator' };
      }
      const id = newAgentId();
      const refusal = await token.claim(id);
      if (refusal) return { ok: false, ...refusal };
      const secret = newCredential(SECRET_PREFIX);
      const agent: AgentRecord = {
        id,
        name: request.name ?? null,
        secretHash: sha256Hex(secret),
        publicKey: request.publicKey,
        address,
        agentVersion: request.agentVersion,
        platform: request.platform,
        servers: request.servers.map((server) => server.name),
        registeredAt: new Date().toISOString(),
      };
      try {
        await this.store.put(agent);
      } catch (err) {
        await token.release().catch(() => undefined);
        throw err;
      }
      await this.wireguard.setPeer({ publicKey: agent.publicKey, address });
      this.log.info(`registered agent ${id}`, { name: agent.name, address, publicKey: agent.publicKey, platform: agent.platform });
      return { ok: true, agent, secret };
    });
  }

  /**
   * protocol.md §2: the key of the latest `hello` or `rotated` becomes the agent's peer, unless
   * another agent holds it: then nothing changes and the refusal is logged.
   */
  installKey(id: string, publicKey: string): Promise<KeyInstallation> {
    return this.serial.run(async () => {
      const agent = this.store.get(id);
      if (!agent) throw new Error(`agent ${id} is not registered`);
      if (agent.publicKey === publicKey) return { installed: publicKey, changed: false };
      const holder = this.store.holderOfKey(publicKey);
      if (holder) {
        this.log.warn(`agent ${id} offered a WireGuard key that agent ${holder.id} holds; kept its current key`, { offered: publicKey });
        return { installed: agent.publicKey, changed: false, refusedFor: holder.id };
      }
      await this.store.put({ ...agent, publicKey });
      await this.wireguard.setPeer({ publicKey, address: agent.address }, agent.publicKey);
      this.log.info(`installed a new WireGuard key for agent ${id}`, { publicKey, previous: agent.publicKey });
      return { installed: publicKey, changed: true };
    });
  }

  /** Forgets the agent: its secret stops working, its peer goes, its address returns to the pool. */
  remove(id: string): Promise<AgentRecord | undefined> {
    return this.serial.run(async () => {
      const agent = await this.store.remove(id);
      if (agent) await this.wireguard.removePeer(agent.publicKey);
      return agent;
    });
  }
}
