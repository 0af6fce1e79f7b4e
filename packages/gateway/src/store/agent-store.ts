import * as path from 'node:path';
import { z } from 'zod';
import { AgentName, ServerName, WireGuardKey } from '@mcp-workstation/protocol';
import { writeJsonAtomic } from '@mcp-workstation/wireguard';
import { readStateFile } from './state-file.js';

const AgentRecordSchema = z.object({
  id: z.string().regex(/^agt_[0-9a-z]{1,60}$/),
  name: AgentName.nullable(),
  /** SHA-256 (hex) of the agentSecret; the secret itself is never stored. */
  secretHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The key installed as this agent's WireGuard peer. */
  publicKey: WireGuardKey,
  /** The agent's tunnel address, without prefix length (it is always a /32). */
  address: z.ipv4(),
  agentVersion: z.string(),
  platform: z.string(),
  servers: z.array(ServerName),
  registeredAt: z.string(),
});
export type AgentRecord = z.infer<typeof AgentRecordSchema>;

const AgentsFileSchema = z.object({ version: z.literal(1), agents: z.array(AgentRecordSchema) });

/**
 * Registered agents in `<state>/agents.json`, the one file only `serve` writes. Kept in
 * memory; every change rewrites the file atomically, one write at a time, before the caller
 * goes on, so what an agent was told (201, welcome) is on disk first. The address pool is
 * derived from these records rather than kept in a file of its own: two files could disagree.
 */
export class AgentStore {
  private readonly agents = new Map<string, AgentRecord>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string) {}

  static async open(stateDir: string): Promise<AgentStore> {
    const store = new AgentStore(path.join(stateDir, 'agents.json'));
    const saved = await readStateFile(store.file, AgentsFileSchema);
    for (const agent of saved?.agents ?? []) store.agents.set(agent.id, agent);
    return store;
  }

  get(id: string): AgentRecord | undefined {
    return this.agents.get(id);
  }

  list(): AgentRecord[] {
    return [...this.agents.values()];
  }

  holderOfKey(publicKey: string): AgentRecord | undefined {
    return this.list().find((agent) => agent.publicKey === publicKey);
  }

  addresses(): Set<string> {
    return new Set(this.list().map((agent) => agent.address));
  }

  async put(agent: AgentRecord): Promise<void> {
    this.agents.set(agent.id, agent);
    await this.save();
  }

  async remove(id: string): Promise<AgentRecord | undefined> {
    const agent = this.agents.get(id);
    if (!agent) return undefined;
    this.agents.delete(id);
    await this.save();
    return agent;
  }

  private save(): Promise<void> {
    const snapshot = { version: 1 as const, agents: this.list() };
    const next = this.writing.catch(() => undefined).then(() => writeJsonAtomic(this.file, snapshot));
    this.writing = next;
    return next;
  }
}
