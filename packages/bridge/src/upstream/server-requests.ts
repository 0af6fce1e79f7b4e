import type { JSONRPCNotification, JSONRPCRequest, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '@mcp-workstation/supervisor';
import { capabilityNeededFor, type CapabilityNeed } from './client-capabilities.js';
import { ambiguousSession, clientLacksCapability, clientSessionClosed, noClientSupports, taskOwnerUnreachable } from './errors.js';
import type { IdAllocator } from './id-allocator.js';
import { errorResponse, notification, resultResponse, type JSONRPCResponseMessage, type JsonRpcErrorBody } from './jsonrpc.js';
import type { OpenRequest, SharedSession } from './session-state.js';
import type { TaskRecipient } from './task-isolation.js';
import { relatedTaskIdOf } from './task-meta.js';

/** A server->client request of the child while a client session holds it. */
interface HeldRequest {
  readonly bridgeId: number;
  readonly childId: RequestId;
  readonly method: string;
  readonly session: SharedSession;
  /** The client request the child asked this for, when the bridge could tell (see ServerRequests). */
  readonly call: OpenRequest | undefined;
  /** URL elicitations: notifications/elicitation/complete for it goes to the same session. */
  readonly elicitationId?: string;
}

/** A server->client request waiting for the set of candidate sessions to narrow to one. */
interface AmbiguousRequest {
  readonly request: JSONRPCRequest;
  readonly since: number;
  readonly timer: NodeJS.Timeout;
}

type Decision =
  | { kind: 'deliver'; session: SharedSession; call: OpenRequest | undefined; relatedRequestId?: RequestId }
  | { kind: 'ambiguous'; candidates: number }
  | { kind: 'nobody'; need: CapabilityNeed | null }
  | { kind: 'refuse'; error: JsonRpcErrorBody };

export interface ServerRequestsOptions {
  ids: IdAllocator;
  sessions(): Iterable<SharedSession>;
  sendToChild(message: JSONRPCRequest | JSONRPCNotification | JSONRPCResponseMessage): void;
  deliver(session: SharedSession, message: JSONRPCRequest | JSONRPCNotification, relatedRequestId?: RequestId): void;
  /** Who may receive a message of this task (its owner); see TaskIsolation. */
  taskRecipients(taskId: string): TaskRecipient[];
  /**
   * Resolves once the child has answered a ping sent now: everything the child wrote before it
   * read that ping has arrived by then (its stdout is one ordered stream).
   */
  barrier(): Promise<void>;
  /** How long an ambiguous request waits for the candidates to narrow to one. */
  ambiguityWaitMs: number;
  logger?: Logger;
  server: string;
}

/**
 * Server->client requests of the shared child (sampling, elicitation, roots/list, ping).
 *
 * A 2025-era child's stdio says nothing about which client request caused one (the SDKs keep
 * that link inside their HTTP transports), so the bridge works out the owner from what it
 * knows for certain: the child can only be asking on behalf of a client request that is in
 * flight at the child, and NOT one that is blocked waiting for the answers to its own earlier
 * questions (a parked 2026-07-28 call, a dialog a person left open, a client that crashed
 * mid-elicitation). A call's questions of one moment (a handler that asks several things at
 * once) all belong to it: after attributing one, the bridge pings the child, and until the
 * pong arrives (the child's stdout is ordered, so every question written in that moment comes
 * before it) the call may still receive more. After that, a call with questions unanswered is
 * blocked and no candidate, so one abandoned question never makes another session's ambiguous.
 *
 * Then: one session with candidate calls is the owner. If its client did not declare the
 * capability the question needs, the child gets an error (the question is never shown to
 * another session); roots are the exception, since they describe a client rather than a call,
 * any session that declared them answers. Several sessions with candidate calls: wait for all
 * but one to finish or block; still several, or none: the child gets an error. A request that
 * carries related-task metadata goes to the task's owner only. Each gets a bridge-unique id, so
 * a stateless client's answer, which arrives on another transient session, is matched by id.
 */
export class ServerRequests {
  private readonly held = new Map<RequestId, HeldRequest>();
  private readonly heldByChildId = new Map<RequestId, HeldRequest>();
  private readonly ambiguous = new Set<AmbiguousRequest>();
  /** Calls whose questions of the current moment may still be arriving: pings not yet answered, per call. */
  private readonly openMoments = new Map<OpenRequest, number>();
  /**
   * URL elicitations by id, until the child completes them: the completion notification
   * (which comes after the client's answer) belongs to that session only.
   */
  private readonly elicitationOwners = new Map<string, SharedSession>();

  constructor(private readonly options: ServerRequestsOptions) {}

  route(request: JSONRPCRequest): void {
    const decision = this.decide(request);
    if (decision.kind === 'ambiguous' && request.method !== 'ping') {
      this.waitForOneCandidate(request);
      return;
    }
    this.act(request, decision);
  }

  /** A client request finished: ambiguous requests may now have a single candidate. */
  reevaluate(): void {
    for (const waiting of [...this.ambiguous]) {
      const decision = this.decide(waiting.request);
      if (decision.kind === 'ambiguous') continue;
      this.ambiguous.delete(waiting);
      clearTimeout(waiting.timer);
      this.act(waiting.request, decision);
    }
  }

  /** A client's answer: back to the child under the child's own id. */
  handleClientResponse(session: SharedSession, response: JSONRPCResponseMessage): void {
    const held = response.id === undefined ? undefined : this.held.get(response.id);
    if (!held) {
      this.options.logger?.warn('a client answered a server request the bridge does not know (already answered, cancelled or from an earlier process); ignored', {
        server: this.options.server,
        session: session.label,
        id: response.id,
      });
      return;
    }
    if (!this.mayAnswer(session, held)) {
      this.options.logger?.warn('a client session answered a server request that was sent to another session; ignored', {
        server: this.options.server,
        session: session.label,
        method: held.method,
      });
      return;
    }
    this.release(held);
    this.options.sendToChild({ ...response, id: held.childId });
  }

  /** notifications/cancelled of the child: to the session holding that request, under its id. */
  handleChildCancel(cancel: JSONRPCNotification): void {
    const childId = cancel.params?.requestId as RequestId | undefined;
    if (childId === undefined) return;
    for (const waiting of this.ambiguous) {
      if (waiting.request.id === childId) {
        this.ambiguous.delete(waiting);
        clearTimeout(waiting.timer);
        return;
      }
    }
    const held = this.heldByChildId.get(childId);
    if (!held) return;
    this.release(held);
    this.options.deliver(held.session, { ...cancel, params: { ...cancel.params, requestId: held.bridgeId } });
  }

  /**
   * notifications/elicitation/complete of the child: to the session that got that URL
   * elicitation. Unknown ids are dropped: another session must never learn of it.
   */
  handleElicitationComplete(complete: JSONRPCNotification): void {
    const elicitationId = complete.params?.elicitationId;
    if (typeof elicitationId !== 'string') return;
    const owner = this.elicitationOwners.get(elicitationId);
    this.elicitationOwners.delete(elicitationId);
    if (owner && !owner.closed) this.options.deliver(owner, complete);
  }

  /** The session ended: the child gets an error for each request it held. */
  sessionClosed(session: SharedSession): void {
    for (const held of [...this.held.values()]) {
      if (held.session !== session) continue;
      this.release(held);
      this.options.sendToChild(errorResponse(held.childId, clientSessionClosed(held.method)));
    }
    for (const [elicitationId, owner] of [...this.elicitationOwners]) {
      if (owner === session) this.elicitationOwners.delete(elicitationId);
    }
    this.reevaluate();
  }

  /** The child went away: its requests are void; clients holding one are told so. */
  dropAll(reason: string): void {
    for (const waiting of this.ambiguous) clearTimeout(waiting.timer);
    this.ambiguous.clear();
    this.openMoments.clear();
    const held = [...this.held.values()];
    this.held.clear();
    this.heldByChildId.clear();
    this.elicitationOwners.clear();
    for (const request of held) {
      this.options.deliver(request.session, notification('notifications/cancelled', { requestId: request.bridgeId, reason }));
    }
  }

  /** Whether the child is waiting on this call's client for answers and cannot be asking anything new for it. */
  isBlocked(call: OpenRequest): boolean {
    if (this.openMoments.has(call)) return false;
    for (const held of this.held.values()) if (held.call === call) return true;
    return false;
  }

  stats(): { held: number; ambiguous: number; elicitations: number } {
    return { held: this.held.size, ambiguous: this.ambiguous.size, elicitations: this.elicitationOwners.size };
  }

  private decide(request: JSONRPCRequest): Decision {
    const need = capabilityNeededFor(request);
    const capable = (session: SharedSession): boolean => !session.closed && (need === null || session.supports(need.test));
    const taskId = relatedTaskIdOf(request);
    if (taskId !== undefined) return this.decideForTask(request.method, taskId, need, capable);
    const sessions = [...this.options.sessions()];
    const owners = sessions.map((session) => ({ session, call: this.latestCandidateCall(session) })).filter((owner) => owner.call !== undefined);
    if (owners.length > 1) return { kind: 'ambiguous', candidates: owners.length };
    const owner = owners[0];
    if (owner && capable(owner.session)) return { kind: 'deliver', session: owner.session, call: owner.call };
    if (request.method === 'roots/list') {
      // Roots describe the client, not one request: any client that has them will do. A
      // stateless POST with nothing in flight has no stream to carry it.
      const idle = sessions.filter((session) => capable(session) && !session.peer.stateless);
      const latest = idle.sort((a, b) => b.lastActivity - a.lastActivity)[0];
      if (latest) return { kind: 'deliver', session: latest, call: undefined };
    }
    if (owner && need) return { kind: 'refuse', error: clientLacksCapability(request.method, need.name) };
    return { kind: 'nobody', need };
  }

  /** The session's most recent request that the child may be asking about now (in flight, not blocked). */
  private latestCandidateCall(session: SharedSession): OpenRequest | undefined {
    if (session.closed) return undefined;
    let latest: OpenRequest | undefined;
    for (const request of session.open.values()) if (request.upstreamId !== undefined && !this.isBlocked(request)) latest = request;
    return latest;
  }

  /** The task's owner (a stateless owner: the first POST that has a request open for the task), if it can take the request. */
  private decideForTask(method: string, taskId: string, need: CapabilityNeed | null, capable: (session: SharedSession) => boolean): Decision {
    const recipient = this.options.taskRecipients(taskId).find(({ session }) => capable(session));
    if (recipient) return { kind: 'deliver', session: recipient.session, call: undefined, relatedRequestId: recipient.relatedRequestId };
    return { kind: 'refuse', error: taskOwnerUnreachable(method, taskId, need?.name ?? null) };
  }

  private act(request: JSONRPCRequest, decision: Decision): void {
    if (decision.kind === 'deliver') {
      this.hold(request, decision.session, decision.call, decision.relatedRequestId ?? decision.call?.id);
    } else if (request.method === 'ping') {
      // The child's client is the bridge: when no single session can take its ping, the
      // bridge answers for itself rather than fail a liveness check.
      this.options.sendToChild(resultResponse(request.id, {}));
    } else if (decision.kind === 'refuse') {
      this.refuse(request, decision.error);
    } else if (decision.kind === 'nobody') {
      // Roots describe the client, not a request: a server that asks while no client with
      // roots is connected (server-everything does, right after the bridge's initialize) is
      // normal, so that refusal is not worth a warning.
      const expected = request.method === 'roots/list';
      this.refuse(request, noClientSupports(request.method, decision.need?.name ?? null), expected ? 'debug' : 'warn');
    }
  }

  private hold(request: JSONRPCRequest, session: SharedSession, call: OpenRequest | undefined, relatedRequestId: RequestId | undefined): void {
    const bridgeId = this.options.ids.next();
    const elicitationId = request.method === 'elicitation/create' && request.params?.mode === 'url' ? request.params?.elicitationId : undefined;
    const held: HeldRequest = {
      bridgeId,
      childId: request.id,
      method: request.method,
      session,
      call,
      elicitationId: typeof elicitationId === 'string' ? elicitationId : undefined,
    };
    this.held.set(bridgeId, held);
    this.heldByChildId.set(request.id, held);
    if (held.elicitationId !== undefined) this.elicitationOwners.set(held.elicitationId, session);
    if (call) this.openMoment(call);
    this.options.deliver(session, { ...request, id: bridgeId }, relatedRequestId);
  }

  /**
   * The call may still be asking more in this moment: it stays a candidate until the child
   * answers a ping sent now. Then, if its questions are still unanswered, it is blocked, which
   * may leave an ambiguous question with a single candidate.
   */
  private openMoment(call: OpenRequest): void {
    this.openMoments.set(call, (this.openMoments.get(call) ?? 0) + 1);
    void this.options.barrier().then(() => {
      const open = (this.openMoments.get(call) ?? 0) - 1;
      if (open > 0) this.openMoments.set(call, open);
      else if (this.openMoments.delete(call)) this.reevaluate();
    });
  }

  private waitForOneCandidate(request: JSONRPCRequest): void {
    const since = Date.now();
    const waiting: AmbiguousRequest = {
      request,
      since,
      timer: setTimeout(() => {
        this.ambiguous.delete(waiting);
        const decision = this.decide(request);
        if (decision.kind === 'ambiguous') this.refuse(request, ambiguousSession(request.method, decision.candidates, Date.now() - since));
        else this.act(request, decision);
      }, this.options.ambiguityWaitMs),
    };
    this.ambiguous.add(waiting);
  }

  private refuse(request: JSONRPCRequest, error: JsonRpcErrorBody, level: 'warn' | 'debug' = 'warn'): void {
    this.options.logger?.[level](error.message, { server: this.options.server, method: request.method });
    this.options.sendToChild(errorResponse(request.id, error));
  }

  private release(held: HeldRequest): void {
    this.held.delete(held.bridgeId);
    if (this.heldByChildId.get(held.childId) === held) this.heldByChildId.delete(held.childId);
  }

  /**
   * The answer must come from the session the request went to. A stateless client answers on
   * a new transient POST, which has no identity to compare: between stateless sessions the
   * bridge-unique id is the match.
   */
  private mayAnswer(session: SharedSession, held: HeldRequest): boolean {
    return held.session === session || (session.peer.stateless && held.session.peer.stateless);
  }
}
