import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { withDeadline } from '../e2e/support/wait';

/** What the driver (wg-driver.js) reports besides answers. */
export interface DriverEvent {
  event: 'ready' | 'status' | 'connection' | 'refused' | 'log';
  [field: string]: unknown;
}

interface DriverAnswer {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
  name?: string;
  problems?: Array<{ code: string; message: string; fix: string }>;
}

/** The driver's error answer, with the backend's error name and prerequisite problems. */
export class DriverError extends Error {
  constructor(
    message: string,
    readonly errorName: string | undefined,
    readonly problems: DriverAnswer['problems'],
  ) {
    super(message);
  }
}

const DRIVER = path.resolve(__dirname, 'wg-driver.js');

/**
 * A WireGuard backend running in another network namespace, driven over the driver's
 * JSON-lines protocol: request() sends an operation and resolves with its answer; every
 * event is kept so tests can wait for one.
 */
export class WireGuardDriver {
  readonly events: DriverEvent[] = [];
  private readonly pending = new Map<number, (answer: DriverAnswer) => void>();
  private readonly eventWaiters = new Set<() => void>();
  private nextId = 1;
  private readonly exited: Promise<void>;
  readonly output: string[] = [];

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    createInterface({ input: child.stdout! }).on('line', (line) => this.receive(line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.output.push(line));
  }

  static async start(namespace: string): Promise<WireGuardDriver> {
    const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, DRIVER], { stdio: ['pipe', 'pipe', 'pipe'] });
    const driver = new WireGuardDriver(child);
    await driver.waitForEvent((event) => event.event === 'ready', 15_000, 'the WireGuard driver to start');
    return driver;
  }

  async request<T = unknown>(op: string, fields: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    const id = this.nextId++;
    const answer = new Promise<DriverAnswer>((resolve) => this.pending.set(id, resolve));
    this.child.stdin!.write(`${JSON.stringify({ id, op, ...fields })}\n`);
    const result = await withDeadline(answer, timeoutMs, `the driver's answer to ${op}`);
    if (!result.ok) throw new DriverError(result.error ?? 'unknown error', result.name, result.problems);
    return result.result as T;
  }

  /** The first event (already received or still to come) that matches. */
  async waitForEvent(match: (event: DriverEvent) => boolean, timeoutMs: number, what: string): Promise<DriverEvent> {
    const found = (): DriverEvent | undefined => this.events.find(match);
    const waiting = new Promise<DriverEvent>((resolve) => {
      const check = (): void => {
        const event = found();
        if (!event) return;
        this.eventWaiters.delete(check);
        resolve(event);
      };
      this.eventWaiters.add(check);
      check();
    });
    return withDeadline(waiting, timeoutMs, `${what} (driver stderr: ${this.output.slice(-5).join(' | ')})`);
  }

  /** Closes stdin (the driver takes its backend down) and waits for the exit; kills it past the deadline. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin!.end();
    try {
      await withDeadline(this.exited, timeoutMs, 'the WireGuard driver to exit');
    } catch (error) {
      this.child.kill('SIGKILL');
      await this.exited;
      throw error;
    }
  }

  private receive(line: string): void {
    let message: DriverAnswer | DriverEvent;
    try {
      message = JSON.parse(line) as DriverAnswer | DriverEvent;
    } catch {
      this.output.push(line);
      return;
    }
    if ('event' in message) {
      this.events.push(message);
      for (const waiter of [...this.eventWaiters]) waiter();
      return;
    }
    this.pending.get(message.id)?.(message);
    this.pending.delete(message.id);
  }
}

/** Runs tcp-probe.js inside `namespace`; see that file for the outcomes. */
export const TCP_PROBE = path.resolve(__dirname, 'tcp-probe.js');
