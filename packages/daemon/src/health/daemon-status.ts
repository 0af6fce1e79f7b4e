import type { TunnelHealth } from '@mcp-workstation/tunnel';
import type { ProcessState } from '@mcp-workstation/supervisor';
import { packageVersion } from '../version.js';
import type { RunningService } from '../wiring.js';
import type { RecentError, RecentErrors } from './recent-errors.js';

/**
 * What the daemon says about itself (`/status`, `/readyz`, `mcp-workstation status`): each
 * component with a state and a reason, and readiness computed from them, never guessed. A
 * component is required when the daemon cannot do its job without it: every server, the
 * local listener, and the tunnel when this machine is registered. No secrets: names, states,
 * reasons, counters.
 */

export type ComponentState = 'starting' | 'ready' | 'degraded' | 'failed' | 'stopped';

export interface ComponentStatus {
  name: string;
  kind: 'server' | 'bridge' | 'tunnel';
  state: ComponentState;
  reason: string;
  required: boolean;
  details?: Record<string, unknown>;
}

export type OverallStatus = 'ready' | 'starting' | 'degraded' | 'stopping';

export interface DaemonStatus {
  status: OverallStatus;
  ready: boolean;
  /** Required components that are not ready, with their reasons: the answer to "why not ready?". */
  notReady: string[];
  components: ComponentStatus[];
  versions: { mcpWorkstation: string; node: string };
  pid: number;
  startedAt: string;
  uptimeSeconds: number;
  lastErrors: RecentError[];
}

/** What the tunnel looks like from here: absent (why), or its agent's health. */
export type TunnelView = { kind: 'off'; reason: string } | { kind: 'on'; health: () => TunnelHealth };

export interface StatusSources {
  service: RunningService;
  tunnel: () => TunnelView;
  recentErrors?: RecentErrors;
  /** Where the local listener is, for its reason. */
  listenerUrl: string;
  isStopping: () => boolean;
}

const PROCESS_TO_COMPONENT: Record<ProcessState, ComponentState> = {
  starting: 'starting',
  ready: 'ready',
  backoff: 'degraded',
  failed: 'failed',
  stopped: 'stopped',
};

export class StatusReporter {
  private readonly startedAt = new Date();
  private everReady = false;

  constructor(private readonly sources: StatusSources) {}

  report(): DaemonStatus {
    const components = [...this.serverComponents(), this.bridgeComponent(), this.tunnelComponent()];
    const blocking = components.filter((component) => component.required && component.state !== 'ready');
    const stopping = this.sources.isStopping();
    const ready = blocking.length === 0 && !stopping;
    if (ready) this.everReady = true;
    return {
      status: stopping ? 'stopping' : ready ? 'ready' : this.everReady ? 'degraded' : 'starting',
      ready,
      notReady: stopping ? ['the daemon is stopping'] : blocking.map((component) => `${component.name}: ${component.state}: ${component.reason}`),
      components,
      versions: { mcpWorkstation: packageVersion(), node: process.version },
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
      lastErrors: this.sources.recentErrors?.list() ?? [],
    };
  }

  private serverComponents(): ComponentStatus[] {
    const { service } = this.sources;
    return service.servers.list().map(({ upstream, definition, aws }) => {
      const readiness = safeReadiness(upstream);
      const supervisor = service.statuses.latestOf(upstream.name);
      // No supervisor event yet: its child is about to be spawned, not stopped.
      const notStartedYet = supervisor === undefined && readiness.state === 'stopped' && !this.sources.isStopping();
      return {
        name: `server ${upstream.name}`,
        kind: 'server',
        state: readiness.ready ? 'ready' : notStartedYet ? 'starting' : (PROCESS_TO_COMPONENT[readiness.state] ?? 'failed'),
        reason: notStartedYet ? 'starting its child' : readiness.reason,
        required: true,
        details: {
          server: upstream.name,
          mode: definition.mode,
          sessions: upstream.sessionCount(),
          requestsInFlight: service.inFlight.count(upstream.name),
          restarts: supervisor?.restarts ?? 0,
          pid: supervisor?.pid ?? null,
          lastError: supervisor?.lastError ?? null,
          ...(aws ? { credentials: aws.status() } : {}),
        },
      };
    });
  }

  private bridgeComponent(): ComponentStatus {
    const stopping = this.sources.isStopping();
    return {
      name: 'bridge',
      kind: 'bridge',
      state: stopping ? 'stopped' : 'ready',
      reason: stopping ? 'stopping: no new requests are taken' : `listening on ${this.sources.listenerUrl}`,
      required: true,
    };
  }

  private tunnelComponent(): ComponentStatus {
    const view = this.sources.tunnel();
    if (view.kind === 'off') return { name: 'tunnel', kind: 'tunnel', state: 'stopped', reason: view.reason, required: false };
    const health = view.health();
    return {
      name: 'tunnel',
      kind: 'tunnel',
      state: health.state,
      reason: health.reason,
      required: true,
      details: {
        agentId: health.agentId,
        wireguard: { state: health.wireguard.state, reason: health.wireguard.reason, lastHandshakeAt: health.wireguard.lastHandshakeAt, rxBytes: health.wireguard.rxBytes, txBytes: health.wireguard.txBytes },
        control: { state: health.control.state, reason: health.control.reason },
        listener: { state: health.listener.state, reason: health.listener.reason, address: health.listener.address },
      },
    };
  }
}

function safeReadiness(upstream: RunningService['upstreams'][number]): { ready: boolean; state: ProcessState; reason: string } {
  try {
    return upstream.readiness();
  } catch (error) {
    return { ready: false, state: 'failed', reason: `readiness check failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
