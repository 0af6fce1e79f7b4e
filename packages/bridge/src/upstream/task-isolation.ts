import type { Logger } from '@mcp-workstation/supervisor';
import type { JSONRPCNotification, JSONRPCRequest, RequestId, Result, ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import * as errors from './errors.js';
import type { ForwardedRequest } from './id-map.js';
import type { JSONRPCResponseMessage, JsonRpcErrorBody } from './jsonrpc.js';
import type { OpenRequest, SharedSession } from './session-state.js';
import { TaskListCursors } from './task-list-cursors.js';
import { createdTaskOf, isTaskAugmented, relatedTaskIdOf, taskIdParamOf, taskSnapshotOf, TASK_ID_METHODS } from './task-meta.js';
import { ownerKeyOf, STATELESS_OWNER, TaskOwners, type OwnedTask } from './task-owners.js';

export const DEFAULT_MAX_STATELESS_TASKS = 1000;
/** Task notifications that arrived before the CreateTaskResult naming their task. */
const MAX_EARLY_NOTIFICATIONS = 100;

/** Where a message of a task goes: a session, on the stream of one of its requests when it has one open for the task. */
export interface TaskRecipient {
  session: SharedSession;
  relatedRequestId: RequestId | undefined;
}

/** What happens to a client request that may touch a task. */
export type TaskAdmission =
  | { kind: 'forward'; request: JSONRPCRequest }
  | { kind: 'answer'; result: Result }
  | { kind: 'refuse'; error: JsonRpcErrorBody };

export interface TaskIsolationOptions {
  server: string;
  sessions(): Iterable<SharedSession>;
  /** The child's declared `tasks` capability, once it initialized. */
  childTasks(): ServerCapabilities['tasks'] | undefined;
  /** The bridge's own best-effort tasks/cancel. */
  cancelAtChild(taskId: string): void;
  deliver(session: SharedSession, message: JSONRPCNotification, relatedRequestId?: RequestId): void;
  /** Whether a session takes this notification at all (log levels). */
  wants(session: SharedSession, message: JSONRPCNotification): boolean;
  maxStatelessTasks?: number;
  logger?: Logger;
}

/** The task-related facts of a client request, kept on its OpenRequest. */
export function taskFactsOf(request: JSONRPCRequest): Pick<OpenRequest, 'taskId' | 'createsTask'> {
  const taskId = taskIdParamOf(request) ?? relatedTaskIdOf(request);
  const createsTask = isTaskAugmented(request);
  return { ...(taskId === undefined ? {} : { taskId }), ...(createsTask ? { createsTask } : {}) };
}

/**
 * Tasks (MCP 2025-11-25) on the shared child. The child keeps every session's tasks in one
 * store and, on stdio, cannot tell its clients apart: without the bridge, any session could
 * list, poll, fetch or cancel another's task and would hear every task's status. So each task
 * has an owner (TaskOwners): the session whose task-augmented request got the CreateTaskResult,
 * or whose request first carried related-task metadata for it. Only the owner may name the
 * task (anyone else gets the answer for a task that does not exist, and nothing reaches the
 * child), only the owner hears its status, its related-task messages and its progress, and
 * tasks/list shows each session its own tasks only.
 */
export class TaskIsolation {
  private readonly owners: TaskOwners;
  private readonly cursors = new TaskListCursors();
  private readonly early = new Map<string, JSONRPCNotification[]>();
  private earlyCount = 0;

  constructor(private readonly options: TaskIsolationOptions) {
    this.owners = new TaskOwners({
      maxStatelessTasks: options.maxStatelessTasks ?? DEFAULT_MAX_STATELESS_TASKS,
      onEvicted: (task) =>
        options.logger?.debug('the oldest task of stateless clients was forgotten: too many tasks', { server: options.server, taskId: task.taskId }),
    });
  }

  // ---- client -> child ----

  /** Checks a client request against the tasks it names before it may reach the child. */
  admitRequest(session: SharedSession, request: JSONRPCRequest): TaskAdmission {
    const owner = ownerKeyOf(session);
    if (TASK_ID_METHODS.has(request.method)) {
      const taskId = taskIdParamOf(request);
      if (taskId === undefined) return { kind: 'refuse', error: errors.taskIdRequired(request.method) };
      if (this.owners.ownerOf(taskId) !== owner) return { kind: 'refuse', error: errors.unknownTask(request.method, taskId) };
    }
    // Related-task metadata for a task nobody owns yet makes the sender its owner.
    const related = relatedTaskIdOf(request);
    if (related !== undefined && !this.owners.claim(related, owner)) {
      return { kind: 'refuse', error: errors.unknownTask(request.method, related) };
    }
    if (request.method === 'tasks/list') return this.admitList(session, request);
    return { kind: 'forward', request };
  }

  /** A client notification about another owner's task never reaches the child. */
  admitNotification(session: SharedSession, message: JSONRPCNotification): boolean {
    const related = relatedTaskIdOf(message);
    if (related === undefined) return true;
    const owner = this.owners.ownerOf(related);
    return owner === undefined || owner === ownerKeyOf(session);
  }

  /**
   * Stateless clients cannot be told apart, so none may list (it would show every stateless
   * client's tasks): they get an empty list and keep the task ids they were given. A stateful
   * session's cursor is swapped for the child's.
   */
  private admitList(session: SharedSession, request: JSONRPCRequest): TaskAdmission {
    if (session.peer.stateless) {
      // A child that does not list tasks answers with its own error.
      return this.options.childTasks()?.list ? { kind: 'answer', result: { tasks: [] } } : { kind: 'forward', request };
    }
    const cursor = request.params?.cursor;
    if (cursor === undefined) return { kind: 'forward', request };
    const childCursor = typeof cursor === 'string' ? this.cursors.unwrap(session, cursor) : undefined;
    if (childCursor === undefined) return { kind: 'refuse', error: errors.invalidTaskCursor(cursor) };
    return { kind: 'forward', request: { ...request, params: { ...request.params, cursor: childCursor } } };
  }

  // ---- child -> client ----

  /** The child answered a forwarded request (client id already restored): learn from it, filter it. */
  onChildResponse(entry: ForwardedRequest, response: JSONRPCResponseMessage): JSONRPCResponseMessage {
    if ('error' in response) return response;
    const { session, request } = entry;
    switch (request.method) {
      case 'tasks/list':
        return this.filterList(session, response);
      case 'tasks/get':
      case 'tasks/cancel': {
        const snapshot = taskSnapshotOf(response.result);
        if (snapshot) this.owners.observe(snapshot);
        return response;
      }
      case 'tasks/result':
        // tasks/result answers once the task is terminal.
        if (request.taskId !== undefined) this.owners.markTerminal(request.taskId);
        return response;
    }
    if (request.createsTask) this.claimCreated(entry, response);
    return response;
  }

  /** After the response reached its client: notifications that came before it can follow now. */
  responseDelivered(request: OpenRequest): void {
    if (request.createsTask) this.flushEarly();
  }

  /** A request ended without an answer (cancelled, session closed). */
  requestAbandoned(request: OpenRequest): void {
    if (request.createsTask) this.flushEarly();
  }

  /**
   * notifications/tasks/status and any notification with related-task metadata: to the task's
   * owner only. True when the notification was such a one (delivered, held or dropped).
   * Progress is not handled here: its token, not its metadata, says whose it is.
   */
  routeNotification(message: JSONRPCNotification): boolean {
    if (message.method === 'notifications/progress') return false;
    const isStatus = message.method === 'notifications/tasks/status';
    const snapshot = isStatus ? taskSnapshotOf(message.params) : undefined;
    const taskId = snapshot?.taskId ?? relatedTaskIdOf(message);
    if (taskId === undefined) {
      if (isStatus) this.options.logger?.debug('a task status notification without a taskId was dropped', { server: this.options.server });
      return isStatus;
    }
    if (snapshot) this.owners.observe(snapshot);
    if (this.owners.ownerOf(taskId) === undefined) {
      this.holdOrDrop(taskId, message);
      return true;
    }
    for (const recipient of this.recipients(taskId)) {
      if (this.options.wants(recipient.session, message)) this.options.deliver(recipient.session, message, recipient.relatedRequestId);
    }
    return true;
  }

  /**
   * Progress of a task-augmented request after its CreateTaskResult: the request is answered,
   * but the task keeps its token until it is terminal (spec "Tasks", progress). True when delivered.
   */
  routeProgress(message: JSONRPCNotification): boolean {
    const task = this.owners.forProgressToken(message.params?.progressToken);
    if (!task?.progress) return false;
    const restored: JSONRPCNotification = { ...message, params: { ...message.params, progressToken: task.progress.clientToken } };
    for (const recipient of this.recipients(task.taskId)) this.options.deliver(recipient.session, restored, recipient.relatedRequestId);
    return true;
  }

  /** Who may receive a message of this task now: its owner, or the stateless POSTs that named it. */
  recipients(taskId: string): TaskRecipient[] {
    const owner = this.owners.ownerOf(taskId);
    if (owner === undefined) return [];
    if (owner !== STATELESS_OWNER) return owner.closed ? [] : [{ session: owner, relatedRequestId: owner.requestForTask(taskId)?.id }];
    const recipients: TaskRecipient[] = [];
    for (const session of this.options.sessions()) {
      if (!session.peer.stateless || session.closed) continue;
      const request = session.requestForTask(taskId);
      if (request) recipients.push({ session, relatedRequestId: request.id });
    }
    return recipients;
  }

  // ---- lifecycle ----

  /**
   * The session is gone, and with it the only client allowed to fetch its tasks' results: its
   * running tasks are cancelled at the child (when the child can cancel) and forgotten.
   */
  sessionClosed(session: SharedSession): void {
    this.cursors.releaseSession(session);
    // A stateless POST ending ends nothing: its tasks belong to every stateless client.
    const released = session.peer.stateless ? [] : this.owners.releaseOwner(session);
    const running = released.filter(isRunning);
    if (running.length > 0 && this.options.childTasks()?.cancel) {
      this.options.logger?.debug('cancelling the running tasks of a closed session', { server: this.options.server, session: session.label, tasks: running.length });
      for (const task of running) this.options.cancelAtChild(task.taskId);
    }
    this.flushEarly();
  }

  /** The child's tasks died with it. */
  childExited(): void {
    this.forgetAll();
  }

  close(): void {
    this.forgetAll();
  }

  stats(): { tasks: number; taskCursors: number; earlyTaskNotifications: number } {
    return { tasks: this.owners.size, taskCursors: this.cursors.size, earlyTaskNotifications: this.earlyCount };
  }

  // ---- internals ----

  private claimCreated(entry: ForwardedRequest, response: JSONRPCResponseMessage & { result: Result }): void {
    const created = createdTaskOf(response.result);
    if (!created) return; // the child ran the request without a task
    const progress = entry.progressToken === undefined ? undefined : { upstreamToken: entry.upstreamId, clientToken: entry.progressToken };
    if (!this.owners.claim(created.taskId, ownerKeyOf(entry.session), created, progress)) {
      this.options.logger?.warn('the server created a task under an id another session already owns; that session keeps it', {
        server: this.options.server,
        taskId: created.taskId,
      });
    }
  }

  private filterList(session: SharedSession, response: JSONRPCResponseMessage & { result: Result }): JSONRPCResponseMessage {
    const { tasks, nextCursor, ...rest } = response.result as { tasks?: unknown; nextCursor?: unknown } & Result;
    const own = (Array.isArray(tasks) ? tasks : []).filter((task) => {
      const snapshot = taskSnapshotOf(task);
      if (!snapshot || this.owners.ownerOf(snapshot.taskId) !== session) return false;
      this.owners.observe(snapshot);
      return true;
    });
    const result: Result = { ...rest, tasks: own };
    if (typeof nextCursor === 'string') result.nextCursor = this.cursors.wrap(session, nextCursor);
    return { ...response, result };
  }

  /**
   * A notification of a task nobody owns yet: the child may report a status before its
   * CreateTaskResult is on the wire, so while a task-augmented request is in flight it waits
   * for that answer. Otherwise it belongs to a task that is gone (or never was ours): dropped.
   */
  private holdOrDrop(taskId: string, message: JSONRPCNotification): void {
    if (!this.creationInFlight() || this.earlyCount >= MAX_EARLY_NOTIFICATIONS) {
      this.options.logger?.debug('a notification of a task no session owns was dropped', { server: this.options.server, method: message.method, taskId });
      return;
    }
    const held = this.early.get(taskId) ?? [];
    held.push(message);
    this.early.set(taskId, held);
    this.earlyCount += 1;
  }

  private flushEarly(): void {
    if (this.earlyCount === 0) return;
    for (const [taskId, messages] of [...this.early]) {
      if (this.owners.ownerOf(taskId) === undefined) continue;
      this.early.delete(taskId);
      this.earlyCount -= messages.length;
      for (const message of messages) this.routeNotification(message);
    }
    if (this.creationInFlight()) return;
    for (const [taskId, messages] of this.early) {
      this.options.logger?.debug('notifications of a task no session owns were dropped', { server: this.options.server, taskId, count: messages.length });
    }
    this.early.clear();
    this.earlyCount = 0;
  }

  private creationInFlight(): boolean {
    for (const session of this.options.sessions()) {
      for (const request of session.open.values()) if (request.createsTask && request.upstreamId !== undefined) return true;
    }
    return false;
  }

  private forgetAll(): void {
    this.owners.releaseAll();
    this.cursors.clear();
    this.early.clear();
    this.earlyCount = 0;
  }
}

function isRunning(task: OwnedTask): boolean {
  return !task.terminal && task.status !== undefined;
}
