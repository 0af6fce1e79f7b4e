import { CloseCode } from '@mcp-workstation/protocol';
import type { AgentSession } from './agent-session.js';

/** The one live control connection per agent; a newer one replaces the older with 4409 (protocol.md §2). */
export class SessionRegistry {
  private readonly sessions = new Map<string, AgentSession>();

  adopt(session: AgentSession): void {
    const older = this.sessions.get(session.agentId);
    this.sessions.set(session.agentId, session);
    older?.close(CloseCode.replaced, 'a newer connection of this agent replaced this one');
  }

  /** Forgets `session` unless a newer one has taken its place already. */
  release(session: AgentSession): void {
    if (this.sessions.get(session.agentId) === session) this.sessions.delete(session.agentId);
  }

  get(agentId: string): AgentSession | undefined {
    return this.sessions.get(agentId);
  }

  /** Closes every connection, cutting those whose agent does not finish the closing handshake within `graceMs`. */
  async closeAll(code: number, reason: string, graceMs = 2_000): Promise<void> {
    const open = [...this.sessions.values()];
    for (const session of open) session.close(code, reason);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(open.map((session) => session.closed)), grace]);
    clearTimeout(timer);
    for (const session of open) session.terminate();
  }
}
