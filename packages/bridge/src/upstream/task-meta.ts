import { RELATED_TASK_META_KEY, type JSONRPCNotification, type JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';

/**
 * Reading the task facts (MCP 2025-11-25 "Tasks") out of messages. Loose on purpose: a child
 * or client that sends a malformed task field is the child's problem to answer, so these only
 * look for well-typed values and report "no task" otherwise, never throw.
 */

/** What the bridge keeps of a Task object (tasks/get, tasks/list, CreateTaskResult, status notifications). */
export interface TaskSnapshot {
  taskId: string;
  status: string | undefined;
  /** ms the child keeps the task; null: unlimited; undefined: not said. */
  ttl: number | null | undefined;
}

/** The requests that name an existing task in `params.taskId`. */
export const TASK_ID_METHODS: ReadonlySet<string> = new Set(['tasks/get', 'tasks/result', 'tasks/cancel']);

const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

export function isTerminalStatus(status: string | undefined): boolean {
  return status !== undefined && TERMINAL_STATUSES.has(status);
}

/** `params._meta["io.modelcontextprotocol/related-task"].taskId` of a request or notification. */
export function relatedTaskIdOf(message: JSONRPCRequest | JSONRPCNotification): string | undefined {
  const related = message.params?._meta?.[RELATED_TASK_META_KEY] as { taskId?: unknown } | undefined;
  return typeof related?.taskId === 'string' ? related.taskId : undefined;
}

/** `params.taskId` of tasks/get, tasks/result and tasks/cancel. */
export function taskIdParamOf(request: JSONRPCRequest): string | undefined {
  if (!TASK_ID_METHODS.has(request.method)) return undefined;
  const taskId = request.params?.taskId;
  return typeof taskId === 'string' ? taskId : undefined;
}

/** A task-augmented request (`params.task`): the child may answer it with a CreateTaskResult. */
export function isTaskAugmented(request: JSONRPCRequest): boolean {
  const task = request.params?.task;
  return typeof task === 'object' && task !== null && !Array.isArray(task);
}

/** The Task inside a Task-shaped value (GetTaskResult, a tasks/list entry, status notification params). */
export function taskSnapshotOf(value: unknown): TaskSnapshot | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { taskId, status, ttl } = value as Record<string, unknown>;
  if (typeof taskId !== 'string') return undefined;
  return {
    taskId,
    status: typeof status === 'string' ? status : undefined,
    ttl: ttl === null ? null : typeof ttl === 'number' && Number.isFinite(ttl) && ttl >= 0 ? ttl : undefined,
  };
}

/** The task of a CreateTaskResult (`result.task`). */
export function createdTaskOf(result: unknown): TaskSnapshot | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  return taskSnapshotOf((result as { task?: unknown }).task);
}
