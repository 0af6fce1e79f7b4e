import { readFileSync } from 'node:fs';

/**
 * Where the daemon's start goes, read from its own log (JSON lines with millisecond wall-clock
 * timestamps; the benchmark noted the wall clock just before the spawn, and both read the
 * same system clock). Only lines the daemon writes at its default level (info) are used, so
 * measuring changes nothing in what it does:
 *
 *   first line          "configuration: <file>": Node started, the CLI's modules loaded, the
 *                       config read and checked;
 *   listening           the last endpoint line ("health: …/readyz", every one carries `url`):
 *                       MCP and admin listeners are up; runService() starts the servers
 *                       right after it, so this is also (within a millisecond or so) when the
 *                       children are spawned;
 *   children answered   `MCP server "<name>" initialized`, logged by the bridge when the
 *                       child's initialize answer has been read and parsed (the last one of
 *                       them is when the daemon knew every child had answered);
 *   ready logged        "ready: every required component is ready".
 *
 * A line that is missing (a message reworded) leaves its figure undefined; nothing is guessed.
 */

export interface DaemonTimeline {
  /** Spawn → the daemon's first log line. */
  firstLogMs?: number;
  /** Spawn → the last endpoint line, just before the servers are started. */
  listeningMs?: number;
  /** Spawn → the last `MCP server "…" initialized` line. */
  lastChildAnsweredMs?: number;
  /** Children whose initialized line was seen. */
  childrenAnswered: number;
  /** Spawn → "ready: every required component is ready". */
  readyLoggedMs?: number;
}

interface LogRecord {
  message?: unknown;
  timestamp?: unknown;
  url?: unknown;
  server?: unknown;
}

const INITIALIZED = /^MCP server ".+" initialized$/;
const READY = 'ready: every required component is ready';

export function readTimeline(logFile: string, spawnedAtWallMs: number): DaemonTimeline {
  const timeline: DaemonTimeline = { childrenAnswered: 0 };
  for (const record of records(logFile)) {
    const at = Date.parse(String(record.timestamp)) - spawnedAtWallMs;
    if (!Number.isFinite(at)) continue;
    const message = String(record.message ?? '');
    timeline.firstLogMs ??= at;
    if (INITIALIZED.test(message)) {
      timeline.childrenAnswered += 1;
      timeline.lastChildAnsweredMs = at;
    } else if (typeof record.url === 'string' && timeline.childrenAnswered === 0) {
      timeline.listeningMs = at;
    } else if (message === READY) {
      timeline.readyLoggedMs ??= at;
    }
  }
  return timeline;
}

function records(logFile: string): LogRecord[] {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return [];
  }
  const parsed: LogRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      parsed.push(JSON.parse(line) as LogRecord);
    } catch {
      // a line the daemon did not write as JSON (Node's own warnings): not part of the timeline
    }
  }
  return parsed;
}
