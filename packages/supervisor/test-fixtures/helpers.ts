// Shared by the supervisor's tests: a recording logger, condition waits with deadlines, and
// bookkeeping so every server and process a test starts is stopped even when it fails.
import path from 'node:path';
import type { EventEmitter } from 'node:events';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { SupervisedServer } from '../src/supervised-server';
import { isProcessAlive } from '../src/process-group';
import type { Logger, SupervisedServerOptions } from '../src/types';

export const FIXTURE_SERVER = path.join(__dirname, 'fixture-server.js');

export interface LogRecord {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta?: Record<string, unknown>;
}

export class RecordingLogger implements Logger {
  readonly records: LogRecord[] = [];
  error(message: string, meta?: Record<string, unknown>): void {
    this.records.push({ level: 'error', message, meta });
  }
  warn(message: string, meta?: Record<string, unknown>): void {
    this.records.push({ level: 'warn', message, meta });
  }
  info(message: string, meta?: Record<string, unknown>): void {
    this.records.push({ level: 'info', message, meta });
  }
  debug(message: string, meta?: Record<string, unknown>): void {
    this.records.push({ level: 'debug', message, meta });
  }
  find(predicate: (record: LogRecord) => boolean): LogRecord | undefined {
    return this.records.find(predicate);
  }
}

/** Polls `condition` every 10 ms until it is truthy; fails with `description` after the deadline. */
export async function waitFor<T>(
  description: string,
  condition: () => T | undefined | null | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The next `event` whose arguments satisfy `predicate`, or a failure after the deadline. */
export function nextEvent<A extends unknown[]>(
  emitter: EventEmitter<any>,
  event: string,
  predicate: (...args: A) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]) => {
      if (!predicate(...(args as A))) return;
      cleanup();
      resolve(args as A);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for '${event}'`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      emitter.off(event, listener);
    };
    emitter.on(event, listener);
  });
}

/** Servers and stray pids created by a test; `cleanup()` in afterEach stops them all. */
export class TestResources {
  private readonly servers: SupervisedServer[] = [];
  private readonly pids: number[] = [];

  server(options: Omit<SupervisedServerOptions, 'logger'> & { logger?: Logger }): SupervisedServer {
    const server = new SupervisedServer({ stopGraceMs: 2_000, logger: new RecordingLogger(), ...options });
    this.servers.push(server);
    return server;
  }

  pid(pid: number): number {
    this.pids.push(pid);
    return pid;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.servers.splice(0).map((server) => server.stop()));
    for (const pid of this.pids.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    }
  }
}

let nextId = 1;

/** Sends a request and waits for the answer with the same id. */
export async function request(
  server: SupervisedServer,
  method: string,
  params: Record<string, unknown> = {},
): Promise<{ message: JSONRPCMessage; generation: number }> {
  const id = nextId++;
  const answer = nextEvent<[JSONRPCMessage, number]>(server, 'message', (message) => 'id' in message && message.id === id);
  if (!server.send({ jsonrpc: '2.0', id, method, params })) throw new Error(`send(${method}) returned false`);
  const [message, generation] = await answer;
  return { message, generation };
}

export function resultOf(message: JSONRPCMessage): Record<string, unknown> {
  if (!('result' in message)) throw new Error(`expected a result, got ${JSON.stringify(message)}`);
  return message.result as Record<string, unknown>;
}

export { isProcessAlive };

export function fixtureCommand(...args: string[]) {
  return { command: process.execPath, args: [FIXTURE_SERVER, ...args] };
}
