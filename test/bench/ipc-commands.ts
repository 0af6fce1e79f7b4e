import type { ChildProcess } from 'node:child_process';

/**
 * Commands to the benchmark's worker processes (the load generator, the tunnel probes) over
 * Node's IPC channel, and their answers: each command carries a sequence number and is
 * answered once, with its result or its error. Both sides live here so the two workers and
 * their handles cannot drift apart.
 */

export interface IpcRequest<Command> {
  seq: number;
  command: Command;
}

export type IpcResponse<Result> = { seq: number; ok: true; result: Result } | { seq: number; ok: false; error: string };

/**
 * The orchestrator's side: one call per command, each with a deadline; when the worker exits,
 * every pending call and every later one fails with `describeExit`'s words.
 */
export class IpcCaller<Command extends { kind: string }, Result> {
  private seq = 0;
  private readonly pending = new Map<number, (response: IpcResponse<Result>) => void>();
  private exitReason?: string;

  constructor(
    private readonly child: ChildProcess,
    /** Names the worker in errors: "the load generator". */
    private readonly label: string,
    describeExit: (code: number | null, signal: NodeJS.Signals | null) => string,
  ) {
    child.on('message', (response: IpcResponse<Result>) => {
      this.pending.get(response.seq)?.(response);
      this.pending.delete(response.seq);
    });
    child.once('exit', (code, signal) => {
      this.exitReason = describeExit(code, signal);
      for (const settle of this.pending.values()) settle({ seq: -1, ok: false, error: this.exitReason });
      this.pending.clear();
    });
  }

  call(command: Command, timeoutMs: number): Promise<Result> {
    if (this.exitReason) return Promise.reject(new Error(this.exitReason));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error(`${this.label} did not finish ${command.kind} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(seq, (response) => {
        clearTimeout(timer);
        if (response.ok) resolve(response.result);
        else reject(new Error(`${this.label}, ${command.kind}: ${response.error}`));
      });
      this.child.send({ seq, command } satisfies IpcRequest<Command>);
    });
  }
}

/**
 * The worker's side, for its main module: answers each command with `run`'s result (or the
 * error's stack), and exits when the orchestrator goes away (finished or failed). `script`
 * names the file for the one who starts it by hand.
 */
export function serveIpcCommands<Command, Result>(script: string, run: (command: Command) => Promise<Result>): void {
  const send = process.send?.bind(process);
  if (!send) {
    process.stderr.write(`${script} is started by the benchmark (npm run bench), with an IPC channel\n`);
    process.exit(2);
  }
  process.on('message', (request: IpcRequest<Command>) => {
    const answer = (response: IpcResponse<Result>) => send(response);
    run(request.command).then(
      (result) => answer({ seq: request.seq, ok: true, result }),
      (err: Error) => answer({ seq: request.seq, ok: false, error: err.stack ?? err.message }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
