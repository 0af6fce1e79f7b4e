import type { ProgressToken } from '@modelcontextprotocol/sdk/types.js';
import type { SharedSession } from './session-state.js';
import { isTerminalStatus, type TaskSnapshot } from './task-meta.js';

/**
 * Stateless clients (a stateless Streamable HTTP POST, a 2026-07-28 request) have no identity
 * beyond one HTTP request, so the bridge cannot tell two of them apart: their tasks belong to
 * them as one owner, and the unguessable task id is what a later POST presents.
 */
export const STATELESS_OWNER = 'stateless clients';
export type TaskOwner = SharedSession | typeof STATELESS_OWNER;

export function ownerKeyOf(session: SharedSession): TaskOwner {
  return session.peer.stateless ? STATELESS_OWNER : session;
}

/** A task's progress token as the child uses it, and as its owner asked for it. */
export interface TaskProgress {
  readonly upstreamToken: number;
  readonly clientToken: ProgressToken;
}

export interface OwnedTask {
  readonly taskId: string;
  readonly owner: TaskOwner;
  /** Last status the bridge saw; undefined for a task only known from related-task metadata. */
  status: string | undefined;
  ttl: number | null | undefined;
  /** Set once the task reached a terminal status (or its result was fetched). */
  terminal: boolean;
  progress: TaskProgress | undefined;
  timer: NodeJS.Timeout | undefined;
}

export interface TaskOwnersOptions {
  /** Cap on the stateless owner's records: nothing ever closes that owner. */
  maxStatelessTasks: number;
  onEvicted?(task: OwnedTask): void;
}

/** setTimeout fires at once for delays above this; a longer ttl means "keep until the session ends". */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Which owner each task of the shared child belongs to. A record lives while the child can
 * still know the task: it is released `ttl` ms after creation and again `ttl` ms after the task
 * turned terminal (the child's own retention: spec "Task retention", and what the SDK's
 * InMemoryTaskStore does), when its owner closes, when the child exits, or, for the stateless
 * owner, when its cap is reached (oldest first).
 */
export class TaskOwners {
  private readonly tasks = new Map<string, OwnedTask>();
  private readonly byProgressToken = new Map<number, OwnedTask>();
  private statelessTasks = 0;

  constructor(private readonly options: TaskOwnersOptions) {}

  /** Records `owner` for a task; false when another owner already has it (nothing changes then). */
  claim(taskId: string, owner: TaskOwner, snapshot?: TaskSnapshot, progress?: TaskProgress): boolean {
    const existing = this.tasks.get(taskId);
    if (existing) return existing.owner === owner;
    if (owner === STATELESS_OWNER) this.makeRoomForStateless();
    const task: OwnedTask = { taskId, owner, status: snapshot?.status, ttl: snapshot?.ttl, terminal: false, progress, timer: undefined };
    this.tasks.set(taskId, task);
    if (owner === STATELESS_OWNER) this.statelessTasks += 1;
    if (progress) this.byProgressToken.set(progress.upstreamToken, task);
    this.armRelease(task);
    if (isTerminalStatus(task.status)) this.becameTerminal(task);
    return true;
  }

  ownerOf(taskId: string): TaskOwner | undefined {
    return this.tasks.get(taskId)?.owner;
  }

  get(taskId: string): OwnedTask | undefined {
    return this.tasks.get(taskId);
  }

  /** A newer view of a known task (unknown tasks are ignored: observing never creates ownership). */
  observe(snapshot: TaskSnapshot): void {
    const task = this.tasks.get(snapshot.taskId);
    if (!task) return;
    if (snapshot.status !== undefined) task.status = snapshot.status;
    if (snapshot.ttl !== undefined) task.ttl = snapshot.ttl;
    if (isTerminalStatus(snapshot.status)) this.becameTerminal(task);
  }

  /** tasks/result answered: the task is over whatever status the bridge last saw. */
  markTerminal(taskId: string): void {
    const task = this.tasks.get(taskId);
    if (task) this.becameTerminal(task);
  }

  /** The task whose task-augmented request used this (child-side) progress token. */
  forProgressToken(token: unknown): OwnedTask | undefined {
    return typeof token === 'number' ? this.byProgressToken.get(token) : undefined;
  }

  /** Every record of `owner`, removed. */
  releaseOwner(owner: TaskOwner): OwnedTask[] {
    const released = [...this.tasks.values()].filter((task) => task.owner === owner);
    for (const task of released) this.release(task);
    return released;
  }

  releaseAll(): void {
    for (const task of [...this.tasks.values()]) this.release(task);
  }

  get size(): number {
    return this.tasks.size;
  }

  private becameTerminal(task: OwnedTask): void {
    if (task.terminal) return;
    task.terminal = true;
    // The SDK stops relaying a task's progress at a terminal status; so does the bridge.
    if (task.progress) this.byProgressToken.delete(task.progress.upstreamToken);
    task.progress = undefined;
    this.armRelease(task);
  }

  private armRelease(task: OwnedTask): void {
    if (typeof task.ttl !== 'number' || task.ttl > MAX_TIMER_MS) return;
    if (task.timer) clearTimeout(task.timer);
    task.timer = setTimeout(() => this.release(task), task.ttl);
    task.timer.unref?.();
  }

  private release(task: OwnedTask): void {
    if (this.tasks.get(task.taskId) !== task) return;
    this.tasks.delete(task.taskId);
    if (task.owner === STATELESS_OWNER) this.statelessTasks -= 1;
    if (task.timer) clearTimeout(task.timer);
    if (task.progress) this.byProgressToken.delete(task.progress.upstreamToken);
  }

  private makeRoomForStateless(): void {
    if (this.statelessTasks < this.options.maxStatelessTasks) return;
    // Insertion order: the first stateless record is the oldest one.
    for (const task of this.tasks.values()) {
      if (task.owner !== STATELESS_OWNER) continue;
      this.release(task);
      this.options.onEvicted?.(task);
      return;
    }
  }
}
