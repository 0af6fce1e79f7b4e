import { EventEmitter } from 'node:events';
import { createBridge, createUpstream } from '@mcp-workstation/bridge';
import type { Bridge, BridgeOptions, RequestRecord, SessionMode, Upstream } from '@mcp-workstation/bridge';
import { SupervisedServer } from '@mcp-workstation/supervisor';
import type { RestartPolicy, ServerCommand } from '@mcp-workstation/supervisor';
import { awsMonitorFor, type AwsCredentialsMonitor } from '../aws/index.js';
import type { DaemonLogger } from '../logging/logger.js';
import type { ChildRegistry } from './child-registry.js';
import type { InFlightRequests } from './in-flight.js';
import type { ServerStatusBoard } from './server-status.js';

/**
 * The servers the daemon runs, each with its own bridge, so that one can be added, removed
 * or replaced while the others (and their sessions) go on: the bridge takes its list of
 * servers when it is built and has no way to change it (docs/configuration.md, "Reloading").
 * The daemon's HTTP front (http-front.ts) routes /servers/<name>/… to the server's bridge and
 * the single-server paths to the default one. With a bridge that can add and remove
 * upstreams at runtime, this becomes one bridge again.
 */

export interface ServedServer {
  name: string;
  command: ServerCommand;
  mode: SessionMode;
  /** The protocol version the bridge offers the child in its own initialize. */
  protocolVersion?: string;
  /** per-session mode: an idle session's child is reaped after this long. */
  sessionIdleMs?: number;
  /** How long the child may take to answer the bridge's initialize (servers.<name>.startTimeoutMs). */
  initializeTimeoutMs?: number;
  /** Requests that arrive while the child restarts wait this long. */
  restartWaitMs?: number;
  /** The largest message the child may write (limits.maxMessageBytes); the supervisor's default when unset. */
  maxMessageBytes?: number;
  restart?: RestartPolicy;
}

export interface ServerUnit {
  readonly definition: ServedServer;
  readonly upstream: Upstream;
  readonly bridge: Bridge;
  /** The credentials monitor of a server that runs the AWS proxy (docs/aws.md); null for any other. */
  readonly aws: AwsCredentialsMonitor | null;
}

export type BridgeSettings = Omit<BridgeOptions, 'upstreams' | 'logger' | 'defaultServer'>;

export interface ServerSetParts {
  bridge: BridgeSettings;
  logger: DaemonLogger;
  children: ChildRegistry;
  statuses: ServerStatusBoard;
  inFlight: InFlightRequests;
  onRequest?: (record: RequestRecord) => void;
  /** Hears each child channel as it is made (the foreground's first-start progress). */
  onChannel?: (definition: ServedServer, channel: SupervisedServer, purpose: 'shared' | 'session') => void;
  /** Hears the credentials monitor of each server that runs the AWS proxy (the foreground's login offer). */
  onAwsMonitor?: (server: string, monitor: AwsCredentialsMonitor) => void;
}

export interface ServerChanges {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
}

export type ServerReadinessStatus = 'ready' | 'starting' | 'degraded';

export interface ServersReadiness {
  status: ServerReadinessStatus;
  servers: Array<{ name: string; state: string; ready: boolean; reason: string }>;
}

export class ServerSet extends EventEmitter<{ changed: [ServerChanges] }> {
  private units = new Map<string, ServerUnit>();
  private defaultName: string;
  /** "starting" lasts until a server has been ready once; after that a lapse is "degraded" (as the bridge's /readyz). */
  private readonly everReady = new Set<string>();

  /** Builds every server's bridge; throws the bridge's BridgeOptionsError for an option it refuses. */
  constructor(
    definitions: ServedServer[],
    defaultServer: string | undefined,
    private readonly parts: ServerSetParts,
  ) {
    super();
    for (const definition of definitions) this.units.set(definition.name, this.build(definition));
    this.defaultName = defaultServer ?? definitions[0]?.name ?? '';
  }

  list(): ServerUnit[] {
    return [...this.units.values()];
  }

  get(name: string): ServerUnit | undefined {
    return this.units.get(name);
  }

  /** The server /mcp, /sse, /message and /ws serve. */
  defaultUnit(): ServerUnit | undefined {
    return this.units.get(this.defaultName) ?? this.list()[0];
  }

  /** Spawn and initialize every server; resolves when each answered or failed (failures are readiness, not errors). */
  async startAll(): Promise<void> {
    await Promise.all(this.list().map(startUnit));
  }

  readiness(): ServersReadiness {
    const servers = this.list().map(({ upstream }) => {
      try {
        const { ready, state, reason } = upstream.readiness();
        if (ready) this.everReady.add(upstream.name);
        return { name: upstream.name, state, ready, reason };
      } catch (error) {
        return { name: upstream.name, state: 'failed', ready: false, reason: `readiness check failed: ${messageOf(error)}` };
      }
    });
    const status: ServerReadinessStatus = servers.every((s) => s.ready) ? 'ready' : servers.every((s) => this.everReady.has(s.name)) ? 'degraded' : 'starting';
    return { status, servers };
  }

  /**
   * Makes the set match `definitions`: new servers are built and started, removed ones closed
   * (their sessions end), changed ones replaced; unchanged ones are not touched. Every new
   * bridge is built before anything changes, so a refused option changes nothing (it throws).
   */
  async apply(definitions: ServedServer[], defaultServer: string | undefined): Promise<ServerChanges> {
    const changes = this.compare(definitions);
    const built = new Map<string, ServerUnit>();
    for (const definition of definitions) {
      if (changes.added.includes(definition.name) || changes.changed.includes(definition.name)) built.set(definition.name, this.build(definition));
    }
    const previous = this.units;
    this.units = new Map(definitions.map((definition) => [definition.name, built.get(definition.name) ?? (previous.get(definition.name) as ServerUnit)]));
    this.defaultName = defaultServer ?? definitions[0]?.name ?? '';
    for (const name of [...changes.removed, ...changes.changed]) this.everReady.delete(name);
    this.emit('changed', changes);
    const retired = [...changes.removed, ...changes.changed].map((name) => previous.get(name) as ServerUnit);
    await Promise.all(retired.map((unit) => closeUnit(unit).catch((error: unknown) => this.parts.logger.warn(`closing server ${unit.definition.name} failed: ${messageOf(error)}`))));
    await Promise.all([...built.values()].map(startUnit));
    return changes;
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.list().map(closeUnit));
  }

  private compare(definitions: ServedServer[]): ServerChanges {
    const next = new Map(definitions.map((definition) => [definition.name, definition]));
    const changes: ServerChanges = { added: [], removed: [], changed: [], unchanged: [] };
    for (const [name, unit] of this.units) {
      const wanted = next.get(name);
      if (!wanted) changes.removed.push(name);
      else if (canonical(wanted) !== canonical(unit.definition)) changes.changed.push(name);
      else changes.unchanged.push(name);
    }
    for (const name of next.keys()) if (!this.units.has(name)) changes.added.push(name);
    return changes;
  }

  private build(definition: ServedServer): ServerUnit {
    const { parts } = this;
    const serverLogger = parts.logger.child({ server: definition.name });
    const aws = awsMonitorFor({ name: definition.name, command: definition.command }, { logger: serverLogger });
    if (aws) parts.onAwsMonitor?.(definition.name, aws);
    const upstream = parts.inFlight.wrap(
      createUpstream({
        name: definition.name,
        mode: definition.mode,
        protocolVersion: definition.protocolVersion,
        sessionIdleMs: definition.sessionIdleMs,
        initializeTimeoutMs: definition.initializeTimeoutMs,
        restartWaitMs: definition.restartWaitMs,
        logger: serverLogger,
        createChannel: (purpose) => {
          const channel = new SupervisedServer({
            name: definition.name,
            command: definition.command,
            // A per-session child belongs to one session: when it dies the session ends with it.
            restart: purpose === 'session' ? { enabled: false } : definition.restart,
            maxMessageBytes: definition.maxMessageBytes,
            logger: serverLogger,
          });
          aws?.attach(channel, purpose);
          parts.onChannel?.(definition, channel, purpose);
          return parts.children.add(parts.statuses.track(channel));
        },
        rewriteError: aws?.rewriteError,
        rewriteResult: aws?.rewriteResult,
        onChildResponse: aws?.onChildResponse,
        onRequest: parts.onRequest,
      }),
    );
    const bridge = createBridge({ ...parts.bridge, upstreams: [upstream], defaultServer: definition.name, logger: parts.logger });
    return { definition, upstream, bridge, aws };
  }
}

/** Starts a unit: the AWS monitor watches the credential files from here to closeUnit. */
function startUnit(unit: ServerUnit): Promise<void> {
  unit.aws?.start();
  return unit.bridge.start();
}

function closeUnit(unit: ServerUnit): Promise<void> {
  unit.aws?.close();
  return unit.bridge.close();
}

/** A stable text of a definition: key order ignored, an unset variable (undefined) kept distinct from an absent one. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === undefined) return '<unset>';
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    return Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
