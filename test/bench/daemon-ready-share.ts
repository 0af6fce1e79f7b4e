import type { DaemonTimeline } from './daemon-log.js';

/**
 * The daemon's own share of its time to ready: spawn → /readyz 200 with its children's own
 * start taken out. That start can be taken two ways, and each has a blind spot:
 *
 * - against the yardstick (the same servers started alone by the benchmark, same round, just
 *   before): charges the daemon for any slowing down of its children (a late or sequential
 *   spawn, CPU it burns while they start), but the yardstick is another moment of a shared
 *   machine: a busy second makes it slow and flatters the daemon (seen: servers alone 337 ms,
 *   the same servers under the daemon 214 ms, a few seconds apart);
 * - in place, from the daemon's log (listening → the last `initialized` line, the servers
 *   being spawned right after listening): the same start, no other moment involved, but time
 *   the daemon made its children lose would count as theirs.
 *
 * So the daemon is charged the larger of the two in each round: whichever reading hides
 * something, the other one shows it. It may overstate the daemon's share by the noise
 * between the two readings; it cannot understate it because of one of the blind spots.
 */

export interface ReadyShare {
  /** Spawn → ready minus the servers' start measured alone. */
  minusServersAloneMs?: number;
  /** Spawn → ready minus the servers' start under the daemon (from its log). */
  minusServersUnderDaemonMs?: number;
  /** The larger of the two (either one when only one exists): what the target judges. */
  daemonOwnMs?: number;
}

export function readyShare(readyMs: number | undefined, serversAloneMs: number | undefined, timeline: DaemonTimeline | undefined, servers: number): ReadyShare {
  if (readyMs === undefined) return {};
  const minusServersAloneMs = finite(serversAloneMs) ? readyMs - serversAloneMs : undefined;
  const underDaemon = serversUnderDaemonMs(timeline, servers);
  const minusServersUnderDaemonMs = underDaemon === undefined ? undefined : readyMs - underDaemon;
  const known = [minusServersAloneMs, minusServersUnderDaemonMs].filter((value): value is number => value !== undefined);
  return { minusServersAloneMs, minusServersUnderDaemonMs, daemonOwnMs: known.length ? Math.max(...known) : undefined };
}

/** Listening (the servers spawned right after) → the last server's initialize answer, from the log. */
export function serversUnderDaemonMs(timeline: DaemonTimeline | undefined, servers: number): number | undefined {
  if (!timeline || timeline.childrenAnswered !== servers) return undefined;
  const { listeningMs, lastChildAnsweredMs } = timeline;
  return listeningMs === undefined || lastChildAnsweredMs === undefined ? undefined : lastChildAnsweredMs - listeningMs;
}

function finite(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value);
}
