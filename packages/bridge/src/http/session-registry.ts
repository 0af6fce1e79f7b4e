/** Anything the bridge must be able to end when it shuts down. */
export interface ClosableSession {
  close(): Promise<void> | void;
}

/** Sessions of one transport of one server, by id: lookup for routing, closeAll() for shutdown. */
export class SessionRegistry<T extends ClosableSession> {
  private readonly sessions = new Map<string, T>();

  add(id: string, session: T): void {
    this.sessions.set(id, session);
  }

  get(id: string): T | undefined {
    return this.sessions.get(id);
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  async closeAll(): Promise<void> {
    const sessions = [...this.sessions.values()];
    await Promise.allSettled(sessions.map(async (session) => session.close()));
  }
}
