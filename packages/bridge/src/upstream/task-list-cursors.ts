import { randomBytes } from 'node:crypto';
import type { SharedSession } from './session-state.js';

/**
 * tasks/list cursors, per session. The child pages over every task it has (all sessions'),
 * and its cursor is its own business: the SDK's InMemoryTaskStore uses the last task id of
 * the page, which may be another session's task. So a session never sees the child's cursor:
 * it gets a random token that only it can turn back into the child's cursor.
 */
export class TaskListCursors {
  private readonly bySession = new Map<SharedSession, Map<string, string>>();

  /** `perSession`: the most recent cursors a session can still use; older ones are forgotten. */
  constructor(private readonly perSession = 16) {}

  wrap(session: SharedSession, childCursor: string): string {
    const cursors = this.bySession.get(session) ?? new Map<string, string>();
    this.bySession.set(session, cursors);
    const token = randomBytes(16).toString('base64url');
    cursors.set(token, childCursor);
    if (cursors.size > this.perSession) cursors.delete(cursors.keys().next().value!);
    return token;
  }

  /** The child's cursor behind `token`, or undefined when this session was never given it. */
  unwrap(session: SharedSession, token: string): string | undefined {
    return this.bySession.get(session)?.get(token);
  }

  releaseSession(session: SharedSession): void {
    this.bySession.delete(session);
  }

  clear(): void {
    this.bySession.clear();
  }

  get size(): number {
    let size = 0;
    for (const cursors of this.bySession.values()) size += cursors.size;
    return size;
  }
}
