import { join } from 'node:path';
import { IpcCaller } from './ipc-commands.js';
import type { ProbeCommand, ProbeResult, Samples } from './tunnel-probe-protocol.js';
import { NamespacedProcess } from './tunnel-process.js';

/**
 * The orchestrator's handle on a probe inside a namespace: one command at a time, each with a
 * deadline; stop() in a finally (killAllNamespacedProcessesNow() covers the exit path).
 */
export class Probe {
  private readonly ipc: IpcCaller<ProbeCommand, ProbeResult>;

  private constructor(private readonly process: NamespacedProcess) {
    this.ipc = new IpcCaller(process.child, process.label, (code, signal) => `${process.label} exited (code ${code}, signal ${signal})\n${process.logTail(5)}`);
  }

  static start(label: string, namespace: string, logFile: string): Probe {
    return new Probe(NamespacedProcess.start(label, namespace, [join(__dirname, 'tunnel-probe.js')], logFile, true));
  }

  open(session: string, url: string, bearer?: string): Promise<ProbeResult> {
    return this.send({ kind: 'open', session, url, bearer }, 30_000);
  }

  calls(command: Omit<Extract<ProbeCommand, { kind: 'calls' }>, 'kind'>): Promise<Samples> {
    return this.send({ kind: 'calls', ...command }, command.maxMs + 120_000) as Promise<Samples>;
  }

  close(session: string): Promise<ProbeResult> {
    return this.send({ kind: 'close', session }, 30_000);
  }

  serve(host: string, echoPort: number, bulkPort: number, bulkBytes: number): Promise<ProbeResult> {
    return this.send({ kind: 'serve', host, echoPort, bulkPort, bulkBytes }, 30_000);
  }

  pingPong(host: string, port: number, count: number, warmup: number, messageBytes: number): Promise<Samples> {
    return this.send({ kind: 'pingPong', host, port, count, warmup, messageBytes }, 120_000) as Promise<Samples>;
  }

  bulk(host: string, port: number, bytes: number, transfers: number, warmup: number): Promise<Samples> {
    return this.send({ kind: 'bulk', host, port, bytes, transfers, warmup }, 120_000) as Promise<Samples>;
  }

  relay(host: string, port: number, targetHost: string, targetPort: number): Promise<ProbeResult> {
    return this.send({ kind: 'relay', host, port, targetHost, targetPort }, 30_000);
  }

  /** SIGKILL is enough: a probe holds nothing that needs a goodbye (the sessions die with it). */
  stop(): Promise<void> {
    return this.process.stop(0);
  }

  private send(command: ProbeCommand, timeoutMs: number): Promise<ProbeResult> {
    return this.ipc.call(command, timeoutMs);
  }
}
