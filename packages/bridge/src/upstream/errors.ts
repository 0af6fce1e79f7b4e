import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { ProcessState } from '@mcp-workstation/supervisor';
import type { JsonRpcErrorBody } from './jsonrpc.js';

/**
 * Every JSON-RPC error the upstream side makes up by itself. Each names the server and, where
 * there is one, the fix. Codes reuse the SDK's ErrorCode so SDK clients surface them as
 * McpError with a familiar code: ConnectionClosed for a child that went away, RequestTimeout
 * for a bounded wait that ran out.
 */

export function childExited(server: string, exitReason: string): JsonRpcErrorBody {
  return {
    code: ErrorCode.ConnectionClosed,
    message: `MCP server "${server}" exited before answering this request: ${exitReason}`,
    data: { server, reason: 'child-exit' },
  };
}

export interface NotReadyDetails {
  state: ProcessState;
  reason: string;
  lastError: string | null;
  waitedMs: number;
}

export function notReady(server: string, details: NotReadyDetails): JsonRpcErrorBody {
  const lastError = details.lastError ? `; last error: ${details.lastError}` : '';
  return {
    code: ErrorCode.RequestTimeout,
    message:
      `MCP server "${server}" is not ready (state ${details.state}: ${details.reason}${lastError}); ` +
      `the request waited ${formatSeconds(details.waitedMs)} for it and was not sent. Check the server's log lines.`,
    data: { server, reason: 'not-ready', state: details.state },
  };
}

/**
 * The child answered the bridge's own initialize with an error: it will not serve requests
 * until it is restarted. The child's code is not passed on as the code of a client's request
 * (its -32602 to initialize would read as "your tools/call had bad params").
 */
export function initializeRefused(server: string, childError: JsonRpcErrorBody): JsonRpcErrorBody {
  return {
    code: ErrorCode.InternalError,
    message:
      `MCP server "${server}" refused the bridge's initialize (error ${childError.code}: ${childError.message}), ` +
      `so it cannot serve requests until it is restarted. Check the server's log lines.`,
    data: { server, reason: 'initialize-refused', childError },
  };
}

export function sessionServerExited(server: string, exitReason: string): JsonRpcErrorBody {
  return {
    code: ErrorCode.ConnectionClosed,
    message: `The MCP server "${server}" of this session exited (${exitReason}); start a new session.`,
    data: { server, reason: 'session-child-exit' },
  };
}

export function sessionExpired(server: string, idleMs: number): JsonRpcErrorBody {
  return {
    code: ErrorCode.ConnectionClosed,
    message: `This session of MCP server "${server}" expired after ${formatSeconds(idleMs)} without activity and its server was stopped; start a new session.`,
    data: { server, reason: 'session-expired' },
  };
}

export function sessionClosed(server: string): JsonRpcErrorBody {
  return {
    code: ErrorCode.ConnectionClosed,
    message: `This session of MCP server "${server}" was closed; start a new session.`,
    data: { server, reason: 'session-closed' },
  };
}

export function upstreamClosed(server: string): JsonRpcErrorBody {
  return {
    code: ErrorCode.ConnectionClosed,
    message: `MCP server "${server}" is shutting down; the request was not completed.`,
    data: { server, reason: 'closed' },
  };
}

export function duplicateRequestId(id: unknown): JsonRpcErrorBody {
  return {
    code: ErrorCode.InvalidRequest,
    message: `Request id ${JSON.stringify(id)} is already used by a request of this session that has not been answered yet; use a new id for each request.`,
  };
}

export function invalidParams(message: string): JsonRpcErrorBody {
  return { code: ErrorCode.InvalidParams, message };
}

export function loggingUnsupported(server: string): JsonRpcErrorBody {
  return {
    code: ErrorCode.MethodNotFound,
    message: `MCP server "${server}" does not support logging/setLevel: it declared no "logging" capability.`,
  };
}

/** To the child: no connected client session can take its server->client request. */
export function noClientSupports(method: string, capability: string | null): JsonRpcErrorBody {
  const why = capability
    ? `declared the "${capability}" capability and can be reached now`
    : 'has a request in flight that this could belong to';
  return {
    code: ErrorCode.MethodNotFound,
    message: `No connected client supports ${method}: no client session ${why}.`,
  };
}

/**
 * To the child: the session whose request it is serving did not declare what this needs. The
 * message keeps the wording of noClientSupports, which servers and logs already know.
 */
export function clientLacksCapability(method: string, capability: string): JsonRpcErrorBody {
  return {
    code: ErrorCode.MethodNotFound,
    message: `No connected client supports ${method}: the client session whose request is in flight did not declare the "${capability}" capability.`,
  };
}

/** To the child: several sessions could have caused its server->client request. */
export function ambiguousSession(method: string, candidates: number, waitedMs: number): JsonRpcErrorBody {
  return {
    code: ErrorCode.InternalError,
    message:
      `The bridge cannot tell which of ${candidates} client sessions this ${method} belongs to: in sessionMode "shared" ` +
      `the server's stdio carries no link to the request that caused it, and after ${formatSeconds(waitedMs)} more than one ` +
      `session still had requests in flight. Run this server with sessionMode "per-session" to use ${method} with concurrent sessions.`,
  };
}

/** To the child: the session its request went to closed before answering. */
export function clientSessionClosed(method: string): JsonRpcErrorBody {
  return {
    code: ErrorCode.ConnectionClosed,
    message: `The client session that received this ${method} closed before answering.`,
  };
}

/**
 * A task the session does not own. Word for word what an SDK server (server-everything, any
 * server on the SDK's task handlers) answers for a task it does not have, McpError prefix
 * included, so a session cannot tell another session's task from no task at all.
 */
export function unknownTask(method: string, taskId: string): JsonRpcErrorBody {
  const reason = method === 'tasks/get' ? 'Failed to retrieve task: Task not found' : `Task not found: ${taskId}`;
  return { code: ErrorCode.InvalidParams, message: `MCP error ${ErrorCode.InvalidParams}: ${reason}` };
}

export function taskIdRequired(method: string): JsonRpcErrorBody {
  return { code: ErrorCode.InvalidParams, message: `${method} needs params.taskId, a string (the taskId of a CreateTaskResult this session received).` };
}

/** A tasks/list cursor this session was not given (the SDK's wording for a bad cursor, plus the fix). */
export function invalidTaskCursor(cursor: unknown): JsonRpcErrorBody {
  return {
    code: ErrorCode.InvalidParams,
    message: `Failed to list tasks: Invalid cursor: ${String(cursor)}; use the nextCursor of this session's previous tasks/list, or none for the first page.`,
  };
}

/** To the child: its request for a task has nobody to go to. */
export function taskOwnerUnreachable(method: string, taskId: string, capability: string | null): JsonRpcErrorBody {
  const needs = capability ? `, or it did not declare the "${capability}" capability` : '';
  return {
    code: ErrorCode.MethodNotFound,
    message: `No client can take this ${method} for task ${taskId}: the session that owns the task is gone or has no request open to carry it${needs}.`,
  };
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return seconds >= 1 ? `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s` : `${ms} ms`;
}
