import type { Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { AgentStateStore, RegistrationError, TunnelAgent, checkControlUrl } from '@mcp-workstation/tunnel';
import type { AgentState, BackendChoice, TunnelHealth } from '@mcp-workstation/tunnel';
import { UserError } from '../errors.js';
import type { DaemonLogger } from '../logging/logger.js';
import type { RunningService } from '../wiring.js';
import { serverReports } from './server-reports.js';
import { TunnelHealthLog } from './tunnel-health-log.js';

/**
 * The daemon's side of the tunnel: when the state directory holds a registration, a
 * TunnelAgent carries the gateway's traffic to the same bridge that serves local clients,
 * and tells the gateway how the servers are doing. Without one, the daemon serves locally.
 */

export interface TunnelSettings {
  stateDir: string;
  /** Whether --state-dir chose it (then the advice to register repeats it). */
  stateDirGiven?: boolean;
  interfaceName?: string;
  backend: BackendChoice;
  caFile?: string;
  allowHttp: boolean;
}

/** A registration that was found and checked: the tunnel can start. */
export interface TunnelPlan {
  settings: TunnelSettings;
  agentId: string;
  gatewayUrl: string;
}

export interface TunnelLink {
  health(): TunnelHealth;
  /** Called on every health change of the agent. */
  onHealth(listener: (health: TunnelHealth) => void): void;
  /** Graceful: `bye`, then WireGuard and the listener down. Waits for a start still under way. */
  stop(): Promise<void>;
}

/** protocol.md §1: server names on the wire are 1-63 of [a-z0-9-], stricter than local names. */
const WIRE_SERVER_NAME = /^[a-z0-9-]{1,63}$/;

/**
 * Decides, before anything listens, whether the tunnel starts. Null (after one log line saying
 * why and how to change it) when there is no usable registration; throws UserError when the
 * server names cannot be announced to the gateway.
 */
export async function planTunnel(
  settings: TunnelSettings,
  serverNames: string[],
  logger: DaemonLogger,
  /** Receives the registration's secrets (agent secret, private keys, also in hex), for the log redactor. */
  onSecrets?: (secrets: string[]) => void,
): Promise<TunnelPlan | null> {
  const store = new AgentStateStore(settings.stateDir);
  let state: AgentState | null;
  try {
    state = await store.load();
  } catch (error) {
    // The store's message names the file and the fix; local serving must not depend on it.
    logger.error(`the tunnel stays down, serving locally only: ${messageOf(error)}`);
    return null;
  }
  if (state === null) {
    await logUnregistered(store, settings, logger);
    return null;
  }
  onSecrets?.(secretsOf(state));
  const unfit = serverNames.find((name) => !WIRE_SERVER_NAME.test(name));
  if (unfit !== undefined) {
    throw new UserError(
      `the server name '${unfit}' cannot be announced to the gateway: through the tunnel, names are 1 to 63 lowercase letters, digits or '-'. Choose another with --name.`,
    );
  }
  checkControlUrlAllowed(state.identity.controlUrl, settings.allowHttp);
  return { settings, agentId: state.identity.agentId, gatewayUrl: state.identity.gatewayUrl };
}

/** A ws:// control URL to another host needs --allow-http on `up` too (protocol.md §0): say so before serving. */
function checkControlUrlAllowed(controlUrl: string, allowHttp: boolean): void {
  try {
    checkControlUrl(controlUrl, allowHttp);
  } catch (error) {
    if (error instanceof RegistrationError) throw new UserError(`cannot start the tunnel: ${error.problem}. Fix: ${error.fix}`);
    throw error;
  }
}

async function logUnregistered(store: AgentStateStore, settings: TunnelSettings, logger: DaemonLogger): Promise<void> {
  const stateDirFlag = settings.stateDirGiven ? ` --state-dir ${settings.stateDir}` : '';
  const howTo = `to reach a gateway, register first: mcp-workstation register --gateway <url> --token-file <file>${stateDirFlag}`;
  const revoked = await store.readRevocation().catch(() => null);
  if (revoked) {
    logger.warn(`serving locally only: the gateway revoked this agent (${revoked.reason}) at ${revoked.revokedAt}; ${howTo}`);
  } else {
    logger.info(`serving locally only: no registration in ${settings.stateDir}; ${howTo}`);
  }
}

/** Starts the tunnel agent in front of `service`. Never throws: problems become health and log lines. */
export function startTunnelLink(plan: TunnelPlan, service: RunningService, logger: DaemonLogger): TunnelLink {
  const tunnelLogger = logger.child({ component: 'tunnel' });
  const healthLog = new TunnelHealthLog(tunnelLogger);
  const agent = new TunnelAgent({
    stateDir: plan.settings.stateDir,
    backend: plan.settings.backend,
    interfaceName: plan.settings.interfaceName,
    caFile: plan.settings.caFile,
    allowHttp: plan.settings.allowHttp,
    servers: () => serverReports(service),
    onConnection: tunnelIngress(service),
    logger: tunnelLogger,
  });
  agent.on('health', (health) => healthLog.observe(health));
  // A server's state changed, or a reload added or removed one: the gateway hears it now.
  const onServerChange = () => agent.serversChanged();
  service.statuses.on('change', onServerChange);
  service.servers.on('changed', onServerChange);
  tunnelLogger.info(`starting the tunnel to ${plan.gatewayUrl} as agent ${plan.agentId}`);
  const started = agent.start();
  return {
    health: () => agent.health(),
    onHealth: (listener) => agent.on('health', listener),
    stop: async () => {
      service.statuses.off('change', onServerChange);
      service.servers.off('changed', onServerChange);
      // A stop during start would race the bring-up and could leave the interface behind.
      await started;
      await agent.stop();
    },
  };
}

/**
 * One bridge ingress per Host the gateway uses (protocol.md §3: `<tunnel address>:<listenPort>`),
 * made on first use: a `config` that moves the address brings a new Host, and the old ingress
 * stays valid for connections still open.
 */
function tunnelIngress(service: RunningService): (socket: Duplex, context: { hostHeader: string }) => void {
  const ingresses = new Map<string, HttpServer>();
  return (socket, { hostHeader }) => {
    let ingress = ingresses.get(hostHeader);
    if (!ingress) {
      // The gateway authenticates its clients (and keeps their Authorization); WireGuard lets
      // only the gateway in. A local API key is for local clients: not asked here.
      ingress = service.ingress({ allowedHosts: [hostHeader], name: 'tunnel', healthz: 'readiness', apiKeyRequired: false });
      ingresses.set(hostHeader, ingress);
    }
    ingress.emit('connection', socket);
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The strings of a registration that must never be logged; a WireGuard key also in the hex form its UAPI uses. */
function secretsOf(state: AgentState): string[] {
  const keys = [state.keys.current, state.keys.pending].filter((pair) => pair !== null).map((pair) => pair.privateKey);
  return [state.identity.agentSecret, ...keys, ...keys.map((key) => Buffer.from(key, 'base64').toString('hex'))];
}
