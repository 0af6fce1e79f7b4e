import { LoggingLevelSchema, type LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import type { SharedSession } from './session-state.js';

/** Syslog order, most verbose first (the SDK's own enum order). */
const LEVELS: readonly LoggingLevel[] = LoggingLevelSchema.options;
const severity = (level: LoggingLevel): number => LEVELS.indexOf(level);

export function isLoggingLevel(value: unknown): value is LoggingLevel {
  return typeof value === 'string' && (LEVELS as readonly string[]).includes(value);
}

export const LOGGING_LEVELS = LEVELS;

/**
 * logging/setLevel per session over one child. The child can only have one level, so it gets
 * the most verbose level any session asked for, and each notifications/message is delivered
 * only to sessions whose own level admits it. A session that never set a level gets every
 * message the child sends (the MCP default: the server decides what to log).
 */
export class LoggingLevels {
  private readonly bySession = new Map<SharedSession, LoggingLevel>();

  /** Records a session's level; returns the child's new level when it changed. */
  set(session: SharedSession, level: LoggingLevel): LoggingLevel | undefined {
    const before = this.aggregate();
    this.bySession.set(session, level);
    return this.changedFrom(before);
  }

  /** Forgets a closed session; returns the child's new level when it changed. */
  remove(session: SharedSession): LoggingLevel | undefined {
    if (!this.bySession.has(session)) return undefined;
    const before = this.aggregate();
    this.bySession.delete(session);
    return this.changedFrom(before);
  }

  /** The level the child should log at: the most verbose any session asked for. */
  aggregate(): LoggingLevel | undefined {
    let most: LoggingLevel | undefined;
    for (const level of this.bySession.values()) {
      if (most === undefined || severity(level) < severity(most)) most = level;
    }
    return most;
  }

  admits(session: SharedSession, messageLevel: unknown): boolean {
    const wanted = this.bySession.get(session);
    if (wanted === undefined || !isLoggingLevel(messageLevel)) return true;
    return severity(messageLevel) >= severity(wanted);
  }

  get size(): number {
    return this.bySession.size;
  }

  private changedFrom(before: LoggingLevel | undefined): LoggingLevel | undefined {
    const after = this.aggregate();
    return after !== before ? after : undefined;
  }
}
