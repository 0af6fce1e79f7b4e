import type { Logger } from '@mcp-workstation/supervisor';
import type { Result } from '@modelcontextprotocol/sdk/types.js';
import { errorResponse, type JSONRPCResponseMessage, type JsonRpcErrorBody } from './jsonrpc.js';
import type { ChildErrorContext, ChildResponseContext, UpstreamOptions } from './types.js';

/**
 * The owner's hooks on what the child answers (UpstreamOptions.rewriteError,
 * rewriteResult and onChildResponse), applied in one place for every session mode. A hook is the owner's
 * code running on the child's stdout path: whatever it does wrong is logged and the
 * message goes on unchanged, so a bad hook can never cost a client its answer.
 */
export class ChildResponseHooks {
  private readonly server: string;
  private readonly logger?: Logger;

  constructor(private readonly options: Pick<UpstreamOptions, 'name' | 'rewriteError' | 'rewriteResult' | 'onChildResponse' | 'logger'>) {
    this.server = options.name;
    this.logger = options.logger;
  }

  /** A response of the child to a client's request, observed and (if an error) rewritten. */
  toClient(response: JSONRPCResponseMessage, method: string): JSONRPCResponseMessage {
    this.observe(response, method, 'client');
    return this.rewriteResponse(response, method);
  }

  /** The response with its error rewritten, or its result turned into an error, as the owner's hooks say. */
  rewriteResponse(response: JSONRPCResponseMessage, method: string): JSONRPCResponseMessage {
    if (!('error' in response)) {
      const error = this.ask('rewriteResult', response.result, method);
      return error === undefined ? response : errorResponse(response.id, error);
    }
    const error = this.rewrite(response.error, method);
    return error === response.error ? response : { ...response, error };
  }

  /** The owner's replacement for a child's error, or the error itself. */
  rewrite(error: JsonRpcErrorBody, method: string): JsonRpcErrorBody {
    return this.ask('rewriteError', error, method) ?? error;
  }

  /** One rewrite hook's error body for `subject`, or undefined when it has none (or misbehaves: logged). */
  private ask(name: 'rewriteError' | 'rewriteResult', subject: JsonRpcErrorBody | Result, method: string): JsonRpcErrorBody | undefined {
    const hook = this.options[name] as ((subject: unknown, context: ChildErrorContext) => unknown) | undefined;
    if (!hook) return undefined;
    const kept = name === 'rewriteError' ? 'the error goes on unchanged' : 'the result goes on unchanged';
    try {
      const replacement = hook(subject, { server: this.server, method });
      if (replacement === undefined) return undefined;
      if (isErrorBody(replacement)) return replacement;
      this.logger?.warn(`${name} returned no {code, message}; ${kept}`, { server: this.server, method });
    } catch (thrown) {
      this.logger?.warn(`${name} threw; ${kept}`, { server: this.server, method, error: describe(thrown) });
    }
    return undefined;
  }

  observe(response: JSONRPCResponseMessage, method: string, origin: ChildResponseContext['origin']): void {
    const hook = this.options.onChildResponse;
    if (!hook) return;
    try {
      hook('error' in response ? { kind: 'error', error: response.error } : { kind: 'result', result: response.result }, { server: this.server, method, origin });
    } catch (thrown) {
      this.logger?.warn('onChildResponse threw', { server: this.server, method, error: describe(thrown) });
    }
  }
}

function isErrorBody(value: unknown): value is JsonRpcErrorBody {
  if (value === null || typeof value !== 'object') return false;
  const { code, message } = value as { code?: unknown; message?: unknown };
  return typeof code === 'number' && Number.isInteger(code) && typeof message === 'string';
}

function describe(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}
