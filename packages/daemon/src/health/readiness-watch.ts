import { EventEmitter } from 'node:events';
import type { ComponentStatus, DaemonStatus, StatusReporter } from './daemon-status.js';

/**
 * Watches the status report and says when something changed: the daemon became ready or
 * stopped being ready, or one component changed state. sd_notify's READY=1 and the
 * foreground's state lines come from here. Checked on every event that can change a state
 * (a supervisor status, a tunnel health, a reload) and on a short timer, because a bridge's
 * readiness (its own initialize answered) has no event of its own.
 */

export interface ComponentChange {
  component: ComponentStatus;
  /** null the first time the component is seen. */
  previous: ComponentStatus['state'] | null;
}

export interface ReadinessEvents {
  ready: [DaemonStatus];
  'not-ready': [DaemonStatus];
  component: [ComponentChange];
}

/**
 * Polled often while something is not ready (a start, a restart: the answer that makes a
 * bridge ready has no event), rarely once everything is: every poll builds the whole status
 * report, and an idle daemon should cost next to nothing (the benchmark's daemon part). A
 * component that goes down says so through its own event (supervisor, tunnel) at once.
 */
const POLL_WHILE_NOT_READY_MS = 500;
const POLL_WHILE_READY_MS = 5_000;

export class ReadinessWatch extends EventEmitter<ReadinessEvents> {
  private ready: boolean | null = null;
  private readonly states = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(private readonly reporter: StatusReporter) {
    super();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.check();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.check(), this.ready ? POLL_WHILE_READY_MS : POLL_WHILE_NOT_READY_MS).unref();
  }

  /** Compare now (call it on any event that may change a state). */
  check(): void {
    const report = this.reporter.report();
    this.compareComponents(report.components);
    const changed = report.ready !== this.ready;
    const first = this.ready === null;
    this.ready = report.ready;
    this.schedule();
    if (!changed) return;
    if (report.ready) this.emit('ready', report);
    else if (!first) this.emit('not-ready', report);
  }

  private compareComponents(components: ComponentStatus[]): void {
    const seen = new Set<string>();
    for (const component of components) {
      seen.add(component.name);
      const signature = `${component.state}:${withoutNumbers(component.reason)}`;
      const before = this.states.get(component.name);
      if (before === signature) continue;
      this.states.set(component.name, signature);
      this.emit('component', { component, previous: before === undefined ? null : (before.split(':')[0] as ComponentStatus['state']) });
    }
    for (const name of [...this.states.keys()]) if (!seen.has(name)) this.states.delete(name);
  }
}

/** "latest handshake 12 s ago" and "… 17 s ago" are the same news. */
function withoutNumbers(reason: string): string {
  return reason.replace(/\d+(\.\d+)?/g, '#');
}
