/**
 * What the tunnel benchmark asks its probes and what they answer, over Node's IPC channel. A
 * probe is a process inside one network namespace (test/bench/tunnel-probe.ts): an MCP client
 * there, or the raw TCP servers the tunnel is compared with. One command at a time.
 */

export type ProbeCommand =
  /** Opens an MCP session (the SDK's Client over Streamable HTTP) kept under `session`. */
  | { kind: 'open'; session: string; url: string; bearer?: string }
  /** `calls` sequential tools/call in that session, after `warmupCalls`; stops early at `maxMs`. */
  | { kind: 'calls'; session: string; tool: 'echo' | 'bytes'; size?: number; calls: number; warmupCalls: number; maxMs: number }
  /** DELETEs the session and closes its client. */
  | { kind: 'close'; session: string }
  /**
   * Two raw TCP servers on `host`: an echo server (for ping-pong) and a bulk server that
   * answers every byte it reads with `bulkBytes` bytes (one request, one large answer, as a
   * tool result travels).
   */
  | { kind: 'serve'; host: string; echoPort: number; bulkPort: number; bulkBytes: number }
  /** On one connection (TCP_NODELAY): `count` round trips of `messageBytes`, after `warmup`. */
  | { kind: 'pingPong'; host: string; port: number; count: number; warmup: number; messageBytes: number }
  /** On one connection: `transfers` times, one byte out and `bytes` back, timed to the last byte. */
  | { kind: 'bulk'; host: string; port: number; bytes: number; transfers: number; warmup: number }
  /**
   * A TCP relay on `host:port` that copies bytes both ways to `targetHost:targetPort` (one
   * connection out per connection in, TCP_NODELAY both sides) and reads nothing: the least a
   * separate proxy process can add.
   */
  | { kind: 'relay'; host: string; port: number; targetHost: string; targetPort: number };

export interface Samples {
  /** Milliseconds, one per successful operation, in order. */
  samplesMs: number[];
  ok: number;
  errors: number;
  firstError?: string;
}

export type ProbeResult = Samples | { ok: true };
