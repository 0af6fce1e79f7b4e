import type { Logger } from '@mcp-workstation/supervisor';
import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
  RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { Upstream, UpstreamSession } from '../../upstream/types.js';
import { missingCapabilities, requiredCapabilities } from './client-capabilities.js';
import { requestMeta, type ClientCapabilities, type RequestEnvelope } from './envelope.js';
import { INPUT_REQUEST_METHODS, INPUT_REQUIRED_METHODS, ModernErrorCode, isPlainObject } from './era.js';
import { cancelledNotification, errorResponse, isErrorResponse, isNotification, isResultResponse, isServerRequest } from './messages.js';
import type { ParkedRequests, Parkable } from './parked-requests.js';
import type { RequestResponse } from './request-response.js';
import type { ToolHeaderIndex } from './tool-header-index.js';
import { childHandshake, requestFingerprint, toChildRequest } from './to-child.js';
import {
  belongsOnRequestStream,
  inputRequiredResult,
  toInputRequest,
  toModernError,
  toModernResult,
  urlElicitationsOf,
  type InputRequest,
} from './to-modern.js';

export interface ForwardingContext {
  upstream: Upstream;
  parked: ParkedRequests<ForwardedRequest>;
  /** How long a call waits for the client's MRTR retry. */
  inputRequestTtlMs: number;
  /** Learns the tools' x-mcp-header declarations from relayed tools/list results. */
  toolHeaders: ToolHeaderIndex;
  /** Set when list changes the child announces during a request must reach the listen streams from here. */
  onListChanged?: (notification: JSONRPCNotification) => void;
  logger?: Logger;
}

type ChildOutcome = JSONRPCResultResponse | JSONRPCErrorResponse;

const LIST_CHANGED_METHODS: ReadonlySet<string> = new Set([
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
]);

/** A child that never answers ping: how long its questions of one moment are gathered before they go out. */
const BARRIER_TIMEOUT_MS = 1_000;

/**
 * One 2026-07-28 request served by the child through a transient upstream session.
 *
 * Usually a plain relay: open a session with a stateless peer, send the request, stream
 * related notifications, answer, close. The bridge sends no initialize: the upstream
 * initialized the child itself and treats every session as initialized.
 *
 * When the child asks the client something (sampling, elicitation, roots) the call outlives
 * its HTTP request: the answer becomes input_required with the child's requests embedded and
 * a requestState token, the call is parked, and the client's retry (a new HTTP request with
 * a new id) resumes it: the bridge hands the child the client's inputResponses as the
 * answers it is waiting for and the child carries on (MRTR, spec basic/patterns/mrtr).
 */
export class ForwardedRequest implements Parkable {
  private readonly session: UpstreamSession;
  private readonly method: string;
  private readonly fingerprint: string;
  /** The id the child knows the call by: the first HTTP request's id (the upstream scopes it to the session). */
  private readonly callId: RequestId;
  private readonly callProgressToken: unknown;
  private response: RequestResponse | undefined;
  private envelope: RequestEnvelope;
  private replyProgressToken: unknown;
  /** The child's server->client requests not answered yet, by the input key shown to the client. */
  private readonly pendingInputs = new Map<string, JSONRPCRequest>();
  private inputCounter = 0;
  /** The id of the ping whose answer closes the current moment of the child's questions (see scheduleInputRequired). */
  private barrierId: string | undefined;
  private barrierCount = 0;
  private barrierTimer: NodeJS.Timeout | undefined;
  /** The child's answer when it came while the call was parked (it is delivered to the retry). */
  private outcomeWhileParked: ChildOutcome | undefined;
  private ended = false;

  private constructor(
    private readonly context: ForwardingContext,
    message: JSONRPCRequest,
    envelope: RequestEnvelope,
    response: RequestResponse,
  ) {
    this.method = message.method;
    this.fingerprint = requestFingerprint(message);
    this.callId = message.id;
    this.callProgressToken = requestMeta(message.params)?.progressToken;
    this.envelope = envelope;
    this.replyProgressToken = this.callProgressToken;
    this.session = context.upstream.open({
      label: `modern ${message.method} ${String(message.id).slice(0, 64)}`,
      stateless: true,
      oneRequest: true,
      send: (child) => this.onChildMessage(child),
    });
    this.attach(response);
  }

  /** Relay a new request to the child. */
  static start(context: ForwardingContext, message: JSONRPCRequest, envelope: RequestEnvelope, response: RequestResponse): ForwardedRequest {
    const forwarded = new ForwardedRequest(context, message, envelope, response);
    try {
      for (const handshake of childHandshake(context.upstream, envelope)) forwarded.session.receive(handshake);
      forwarded.session.receive(toChildRequest(message));
    } catch (error) {
      forwarded.end();
      forwarded.session.close();
      throw error;
    }
    return forwarded;
  }

  /** Resume a parked call with the client's retry (T2: inputResponses become the child's answers). */
  resume(retry: JSONRPCRequest, envelope: RequestEnvelope, response: RequestResponse): void {
    this.envelope = envelope;
    this.replyProgressToken = requestMeta(retry.params)?.progressToken;
    this.attach(response);
    this.answerInputs(isPlainObject(retry.params) ? retry.params.inputResponses : undefined);
    if (this.outcomeWhileParked !== undefined) {
      this.finish(this.outcomeWhileParked);
      return;
    }
    // Inputs the retry did not answer are asked again (mrtr "Error Handling").
    if (this.pendingInputs.size > 0) this.scheduleInputRequired();
  }

  expire(): void {
    this.abort('the client did not retry with the requested input in time');
  }

  private attach(response: RequestResponse): void {
    this.response = response;
    response.onAbandoned(() => {
      if (this.response === response) this.abort('the client closed the response stream (2026-07-28 cancellation)');
    });
  }

  private onChildMessage(message: JSONRPCMessage): void {
    if (this.ended) return;
    if (isResultResponse(message) || isErrorResponse(message)) {
      if (message.id === this.callId) this.onOutcome(message);
      else if (message.id === this.barrierId) this.closeMoment();
      return;
    }
    if (isServerRequest(message)) this.onChildRequest(message);
    else if (isNotification(message)) this.onChildNotification(message);
  }

  private onOutcome(outcome: ChildOutcome): void {
    if (this.response === undefined) {
      // Parked: the child finished (or failed) without the input; the retry gets this answer.
      this.outcomeWhileParked = outcome;
      this.pendingInputs.clear();
      this.session.close();
      return;
    }
    this.finish(outcome);
  }

  private finish(outcome: ChildOutcome): void {
    const response = this.response;
    this.end();
    this.session.close();
    if (response === undefined) return;
    if (isResultResponse(outcome)) {
      if (this.method === 'tools/list') this.context.toolHeaders.learn(outcome.result);
      response.succeed(toModernResult(this.method, outcome.result, this.serverInfo()));
      return;
    }
    const urlElicitations = INPUT_REQUIRED_METHODS.has(this.method) ? urlElicitationsOf(outcome.error) : undefined;
    if (urlElicitations !== undefined) {
      this.answerWithUrlElicitations(response, urlElicitations);
      return;
    }
    const error = toModernError(outcome.error);
    // An unimplemented method is 404 on this transport (streamable-http#protocol-version-header).
    response.fail(error, error.code === ModernErrorCode.MethodNotFound ? 404 : 200);
  }

  /** R6: -32042 "URL elicitation required" becomes input_required; the retry is a fresh call, so no requestState. */
  private answerWithUrlElicitations(response: RequestResponse, elicitations: InputRequest[]): void {
    const entries = elicitations.map((request, index) => [`url-elicitation-${index + 1}`, request] as const);
    const missing = this.missingFor(entries.map(([, request]) => request));
    if (missing !== undefined) {
      response.fail(missingCapabilityError(missing), 400);
      return;
    }
    response.succeed(inputRequiredResult(Object.fromEntries(entries), undefined, this.serverInfo()));
  }

  private onChildRequest(request: JSONRPCRequest): void {
    if (request.method === 'ping') {
      // ping left the protocol (changelog major 5); the bridge is the child's client, so it answers.
      this.session.receive({ jsonrpc: '2.0', id: request.id, result: {} });
      return;
    }
    if (!INPUT_REQUEST_METHODS.has(request.method) || !INPUT_REQUIRED_METHODS.has(this.method)) {
      this.session.receive(
        errorResponse(
          request.id,
          ModernErrorCode.MethodNotFound,
          `${request.method} cannot reach a 2026-07-28 client during ${this.method}: only tools/call, prompts/get and resources/read may ask for sampling, elicitation or roots`,
        ),
      );
      return;
    }
    if (request.method === 'roots/list' && missingCapabilities({ roots: {} }, this.envelope.clientCapabilities)) {
      // Roots describe the client, not this request, and a child may ask for them at any
      // moment (server-everything does right after the bridge's initialize): the shared
      // upstream may hand such a question to whichever call is in flight. A client that has
      // no roots answers "no" as a 2025 client would; failing its call (-32021) would punish
      // a request that never asked for roots.
      this.session.receive(errorResponse(request.id, ModernErrorCode.MethodNotFound, 'The 2026-07-28 client of this request declared no roots capability'));
      return;
    }
    this.pendingInputs.set(`input-${++this.inputCounter}`, request);
    if (this.response !== undefined) this.scheduleInputRequired();
  }

  private onChildNotification(notification: JSONRPCNotification): void {
    if (this.context.onListChanged && LIST_CHANGED_METHODS.has(notification.method)) this.context.onListChanged(notification);
    const response = this.response;
    if (response === undefined || !belongsOnRequestStream(notification, this.envelope, this.callProgressToken)) return;
    const forClient = this.withReplyProgressToken(notification);
    if (forClient !== undefined) response.notify(forClient);
  }

  /**
   * T3: a retry may carry a new progressToken (or none); the child still uses the first one.
   * Undefined: the request being answered did not ask for progress.
   */
  private withReplyProgressToken(notification: JSONRPCNotification): JSONRPCNotification | undefined {
    if (notification.method !== 'notifications/progress' || this.replyProgressToken === this.callProgressToken) return notification;
    if (this.replyProgressToken === undefined) return undefined;
    return { ...notification, params: { ...notification.params, progressToken: this.replyProgressToken as string | number } };
  }

  /**
   * The child's questions of one moment go to the client as one input_required answer. A
   * handler that asks several things at once writes them one after another, and they may
   * arrive in separate reads; what tells the bridge it has them all is the protocol, not a
   * timer: it pings the child, and since the child's stdout is one ordered stream, every
   * question written before the child read the ping arrives before its answer. A child that
   * never answers pings is waited for BARRIER_TIMEOUT_MS.
   */
  private scheduleInputRequired(): void {
    if (this.barrierId !== undefined) return;
    const barrierId = `mcp-workstation-barrier-${++this.barrierCount}-${String(this.callId)}`;
    this.barrierId = barrierId;
    this.barrierTimer = setTimeout(() => {
      if (this.barrierId === barrierId) this.closeMoment();
    }, BARRIER_TIMEOUT_MS);
    this.session.receive({ jsonrpc: '2.0', id: barrierId, method: 'ping' });
  }

  private closeMoment(): void {
    clearTimeout(this.barrierTimer);
    this.barrierId = undefined;
    this.answerInputRequired();
  }

  private answerInputRequired(): void {
    const response = this.response;
    if (this.ended || response === undefined || this.pendingInputs.size === 0) return;
    const inputs = [...this.pendingInputs].map(([key, request]) => [key, toInputRequest(request)] as const);
    const missing = this.missingFor(inputs.map(([, input]) => input));
    if (missing !== undefined) {
      response.fail(missingCapabilityError(missing), 400);
      this.abort('the client did not declare the capability the server asked for', ModernErrorCode.MethodNotFound);
      return;
    }
    const token = this.context.parked.park(this, this.fingerprint, this.context.inputRequestTtlMs);
    if (token === undefined) {
      response.fail({ code: ModernErrorCode.InternalError, message: 'Too many requests are waiting for client input; try again later' });
      this.abort('too many requests are waiting for client input');
      return;
    }
    this.response = undefined;
    response.succeed(inputRequiredResult(Object.fromEntries(inputs), token, this.serverInfo()));
  }

  private missingFor(inputs: InputRequest[]): ClientCapabilities | undefined {
    const missing: ClientCapabilities = {};
    for (const input of inputs) {
      const required = requiredCapabilities(input.method, input.params);
      const lacking = required && missingCapabilities(required, this.envelope.clientCapabilities);
      if (lacking) Object.assign(missing, lacking);
    }
    return Object.keys(missing).length > 0 ? missing : undefined;
  }

  private answerInputs(inputResponses: unknown): void {
    if (!isPlainObject(inputResponses)) return;
    for (const [key, answer] of Object.entries(inputResponses)) {
      const request = this.pendingInputs.get(key);
      // Unknown keys are ignored and malformed answers asked again (mrtr "Error Handling").
      if (request === undefined || !isPlainObject(answer)) continue;
      this.pendingInputs.delete(key);
      this.session.receive({ jsonrpc: '2.0', id: request.id, result: answer });
    }
  }

  /** Give up on the call: the child is told (cancellation, and errors for the questions it still waits on). */
  private abort(reason: string, inputErrorCode: number = ModernErrorCode.InternalError): void {
    if (this.ended) return;
    const pending = [...this.pendingInputs.values()];
    const childStillWorking = this.outcomeWhileParked === undefined;
    this.end();
    if (childStillWorking) this.session.receive(cancelledNotification(this.callId, reason));
    for (const request of pending) this.session.receive(errorResponse(request.id, inputErrorCode, `The 2026-07-28 client did not answer: ${reason}`));
    this.session.close();
    this.context.logger?.debug('modern request ended without an answer', { method: this.method, reason });
  }

  private end(): void {
    this.ended = true;
    clearTimeout(this.barrierTimer);
    this.barrierId = undefined;
    this.response = undefined;
    this.pendingInputs.clear();
    this.context.parked.release(this);
  }

  private serverInfo() {
    return this.context.upstream.initializeResult()?.serverInfo;
  }
}

function missingCapabilityError(missing: ClientCapabilities) {
  return {
    code: ModernErrorCode.MissingRequiredClientCapability,
    message: `Missing required client capabilities: ${Object.keys(missing).join(', ')}. The server needs them to finish this request; declare them in _meta["io.modelcontextprotocol/clientCapabilities"]`,
    data: { requiredCapabilities: missing },
  };
}
