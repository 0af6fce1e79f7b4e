import { EventEmitter } from 'node:events';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { MessageChannel, ServerStatus, SupervisedServerOptions } from './types.js';

/** STUB: replaced by the supervisor implementation. */
export class SupervisedServer extends EventEmitter implements MessageChannel {
  readonly name: string;
  constructor(readonly options: SupervisedServerOptions) {
    super();
    this.name = options.name;
  }
  send(_message: JSONRPCMessage): boolean {
    throw new Error('not implemented');
  }
  markReady(): void {
    throw new Error('not implemented');
  }
  status(): ServerStatus {
    throw new Error('not implemented');
  }
  async start(): Promise<void> {
    throw new Error('not implemented');
  }
  async stop(): Promise<void> {
    throw new Error('not implemented');
  }
}
