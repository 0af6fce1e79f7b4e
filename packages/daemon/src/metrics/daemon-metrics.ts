import type { OutgoingStreamStats, RequestRecord } from '@mcp-workstation/bridge';
import type { MessageChannel, ServerStatus } from '@mcp-workstation/supervisor';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TunnelHealth } from '@mcp-workstation/tunnel';
import type { TunnelView } from '../health/daemon-status.js';
import type { RunningService } from '../wiring.js';
import { registerEventLoopLag } from './event-loop-lag.js';
import { methodLabel } from './method-label.js';

/**
 * `/metrics` in Prometheus text format, with prom-client and a registry of its own (never the
 * global one, so an embedding program's metrics stay apart). Requests and latency come from
 * the bridge's onRequest records; restarts from the supervisor's status events; sessions,
 * requests in flight, readiness and the tunnel's counters are read when scraped.
 */

const PREFIX = 'mcp_workstation_';

export interface MetricsSources {
  service: () => RunningService | null;
  tunnel: () => TunnelView;
  ready: () => boolean;
}

export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'server' | 'method' | 'outcome'>;
  private readonly latency: Histogram<'server' | 'method' | 'outcome'>;
  private readonly restarts: Counter<'server'>;
  /** A channel's restart count when last seen: the counter grows by the difference. */
  private readonly restartsSeen = new WeakMap<MessageChannel, number>();

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    // The event-loop lag histogram samples every 10 ms by default: 100 wake-ups a second for
    // an idle daemon, most of its idle CPU (0.3-0.55 % of a core, measured by the benchmark's
    // daemon part). Once a second still shows a stalled loop; sub-second jitter is not what
    // this daemon's metrics are for.
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX, eventLoopMonitoringPrecision: 1000 });
    // Its lag percentiles would read the whole 1 s interval: replaced (event-loop-lag.ts).
    registerEventLoopLag(this.registry, PREFIX);
    this.requests = new Counter({
      name: `${PREFIX}requests_total`,
      help: 'MCP requests answered, by server, method and outcome (ok, error, cancelled, child-exit, timeout).',
      labelNames: ['server', 'method', 'outcome'],
      registers,
    });
    this.latency = new Histogram({
      name: `${PREFIX}request_duration_seconds`,
      help: 'Time from an MCP request to its answer, by server, method and outcome.',
      labelNames: ['server', 'method', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.restarts = new Counter({ name: `${PREFIX}server_restarts_total`, help: "Restarts of a server's child process.", labelNames: ['server'], registers });
    this.defineScrapedGauges(registers);
    this.defineStreamMetrics(registers);
    this.defineTunnelMetrics(registers);
  }

  /** For UpstreamOptions.onRequest. */
  onRequest(record: RequestRecord): void {
    const labels = { server: record.server, method: methodLabel(record.method), outcome: record.outcome };
    this.requests.inc(labels);
    this.latency.observe(labels, record.durationMs / 1000);
  }

  /** For every supervisor status event (ServerStatusBoard 'change'). */
  onServerStatus(status: ServerStatus, channel: MessageChannel): void {
    const before = this.restartsSeen.get(channel) ?? 0;
    if (status.restarts > before) this.restarts.inc({ server: status.name }, status.restarts - before);
    this.restartsSeen.set(channel, Math.max(before, status.restarts));
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private defineScrapedGauges(registers: Registry[]): void {
    const { sources } = this;
    const perServer = (read: (service: RunningService, name: string) => number) =>
      function collect(this: Gauge<'server'>) {
        this.reset();
        const service = sources.service();
        for (const unit of service?.servers.list() ?? []) this.set({ server: unit.upstream.name }, read(service as RunningService, unit.upstream.name));
      };
    new Gauge({ name: `${PREFIX}sessions`, help: 'Open MCP sessions, by server.', labelNames: ['server'], registers, collect: perServer((service, name) => service.servers.get(name)?.upstream.sessionCount() ?? 0) });
    new Gauge({ name: `${PREFIX}requests_in_flight`, help: 'MCP requests waiting for their answer, by server.', labelNames: ['server'], registers, collect: perServer((service, name) => service.inFlight.count(name)) });
    new Gauge({
      name: `${PREFIX}server_ready`,
      help: '1 when the server answers requests (its child is initialized), else 0.',
      labelNames: ['server'],
      registers,
      collect: perServer((service, name) => (service.servers.get(name)?.upstream.readiness().ready ? 1 : 0)),
    });
    new Gauge({
      name: `${PREFIX}ready`,
      help: '1 when every required component (servers, listener, tunnel when registered) is ready, else 0.',
      registers,
      collect(this: Gauge) {
        this.set(sources.ready() ? 1 : 0);
      },
    });
  }

  /** limits.streamBufferBytes at work: read from each server's bridge when scraped (a replaced server starts again from 0). */
  private defineStreamMetrics(registers: Registry[]): void {
    const { sources } = this;
    const streamStats = (): OutgoingStreamStats[] => (sources.service()?.servers.list() ?? []).flatMap((unit) => unit.bridge.streamStats());
    new Counter({
      name: `${PREFIX}stream_overflows_total`,
      help: 'Outgoing streams closed because their client stopped reading (more than limits.streamBufferBytes waited to be sent), by server and transport (streamable-http, sse, websocket).',
      labelNames: ['server', 'transport'],
      registers,
      collect(this: Counter<'server' | 'transport'>) {
        this.reset();
        for (const stats of streamStats()) {
          for (const [transport, count] of Object.entries(stats.overflows)) this.inc({ server: stats.server, transport }, count);
        }
      },
    });
    new Gauge({
      name: `${PREFIX}stream_buffered_bytes`,
      help: "Bytes waiting to be sent to clients in the server's open streams (Streamable HTTP, legacy SSE, WebSocket).",
      labelNames: ['server'],
      registers,
      collect(this: Gauge<'server'>) {
        this.reset();
        for (const stats of streamStats()) this.set({ server: stats.server }, stats.bufferedBytes);
      },
    });
    new Gauge({
      name: `${PREFIX}event_buffer_bytes`,
      help: "Bytes kept for Last-Event-ID resumption by the server's open Streamable HTTP sessions (approximate).",
      labelNames: ['server'],
      registers,
      collect(this: Gauge<'server'>) {
        this.reset();
        for (const stats of streamStats()) this.set({ server: stats.server }, stats.eventBufferBytes);
      },
    });
  }

  /** Labelled by agent, so that without a registration there is no series at all (an unlabelled gauge always shows 0). */
  private defineTunnelMetrics(registers: Registry[]): void {
    const health = () => {
      const view = this.sources.tunnel();
      return view.kind === 'on' ? view.health() : null;
    };
    const perAgent = (name: string, help: string, read: (tunnel: TunnelHealth) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['agent'],
        registers,
        collect(this: Gauge<'agent'>) {
          this.reset();
          const tunnel = health();
          const value = tunnel ? read(tunnel) : null;
          if (tunnel && value !== null) this.set({ agent: tunnel.agentId ?? 'unknown' }, value);
        },
      });
    perAgent(`${PREFIX}tunnel_up`, '1 when the tunnel to the gateway is ready, else 0 (absent when this machine is not registered).', (tunnel) => (tunnel.state === 'ready' ? 1 : 0));
    perAgent(`${PREFIX}tunnel_handshake_age_seconds`, 'Seconds since the latest WireGuard handshake with the gateway (absent before the first one).', (tunnel) =>
      tunnel.wireguard.lastHandshakeAt ? Math.max(0, (Date.now() - Date.parse(tunnel.wireguard.lastHandshakeAt)) / 1000) : null,
    );
    // WireGuard counts the bytes itself; these report its counters, which restart with the interface (a counter reset to Prometheus).
    const bytes = (direction: 'rx' | 'tx') =>
      new Counter({
        name: `${PREFIX}tunnel_${direction}_bytes_total`,
        help: `Bytes ${direction === 'rx' ? 'received from' : 'sent to'} the gateway through the WireGuard tunnel.`,
        labelNames: ['agent'],
        registers,
        collect(this: Counter<'agent'>) {
          this.reset();
          const tunnel = health();
          if (tunnel) this.inc({ agent: tunnel.agentId ?? 'unknown' }, direction === 'rx' ? tunnel.wireguard.rxBytes : tunnel.wireguard.txBytes);
        },
      });
    bytes('rx');
    bytes('tx');
  }
}
