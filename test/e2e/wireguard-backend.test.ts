import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPair, publicKeyFromPrivate, uapiGet, uapiSocketIsLive, uapiSocketPath, type WireGuardKeyPair } from '@mcp-workstation/wireguard';
import { withPrivateKeyFile } from '../../packages/wireguard/src/device/private-key-file';
import type { WireGuardConfig } from '../../packages/tunnel/src/wireguard/types';
import { parseWgDump } from '../../packages/wireguard/src/device/wg-dump';
import {
  createNamespacePair,
  describeWithNetns,
  destroyAllNamespaces,
  removeLeftovers,
  uniqueInterfaceName,
  type NamespacePair,
} from '../support/netns';
import { DriverError, TCP_PROBE, WireGuardDriver, type DriverEvent } from '../support/wg-driver-client';
import { waitFor } from './support/wait';

// The wireguard-go backend for real: the agent's backend runs in namespace A (through
// test/support/wg-driver.js, on the built packages/tunnel), a "gateway" made of plain
// wireguard-go + wg + ip runs in namespace B, and the two meet over a veth pair.
// Every address here (192.0.2.0/24 on the veth; 198.51.100.0/24 or fd00:77::/64 in the
// tunnel) exists only inside these namespaces. The whole scenario runs once with IPv4 and
// once with IPv6 tunnel addresses.

interface TunnelAddresses {
  family: string;
  agent: string;
  gateway: string;
  /** Host prefix length: 32 or 128. */
  host: number;
  /** An address of the agent's namespace outside allowedIps, on its veth. */
  outsider: string | null;
}

const TUNNELS: TunnelAddresses[] = [
  { family: 'IPv4', agent: '198.51.100.7', gateway: '198.51.100.1', host: 32, outsider: null },
  { family: 'IPv6', agent: 'fd00:77::7', gateway: 'fd00:77::1', host: 128, outsider: 'fd00:99::1' },
];
const LISTEN_PORT = 8000;
const GATEWAY_UDP_PORT = 51820;
const SELECT_BACKEND_DIST = path.resolve(__dirname, '../../packages/tunnel/dist/wireguard/select-backend.js');

interface ProbeResult {
  outcome: 'reply' | 'closed' | 'error' | 'timeout';
  reply?: string;
  code?: string;
}

for (const tunnel of TUNNELS) {
  describeWithNetns(`the wireguard-go backend between two network namespaces, ${tunnel.family} in the tunnel`, () => {
    const AGENT_TUNNEL_ADDRESS = tunnel.agent;
    const GATEWAY_TUNNEL_ADDRESS = tunnel.gateway;
    const HOST = `/${tunnel.host}`;
    let net: NamespacePair;
    let driver: WireGuardDriver | undefined;
    let gatewayInterface: string;
    let gatewayKeys: WireGuardKeyPair;
    let agentConfig: WireGuardConfig;

    beforeAll(async () => {
      await removeLeftovers();
      net = await createNamespacePair();
      const agentKeys = generateKeyPair();
      gatewayKeys = generateKeyPair();
      gatewayInterface = uniqueInterfaceName('gw');
      agentConfig = {
        interfaceName: uniqueInterfaceName('ag'),
        privateKey: agentKeys.privateKey,
        address: `${AGENT_TUNNEL_ADDRESS}${HOST}`,
        mtu: 1420,
        peer: {
          publicKey: gatewayKeys.publicKey,
          endpoint: `${net.addressB}:${GATEWAY_UDP_PORT}`,
          allowedIps: [`${GATEWAY_TUNNEL_ADDRESS}${HOST}`],
          persistentKeepalive: 25,
        },
      };
      await startGateway(agentKeys.publicKey);
      driver = await WireGuardDriver.start(net.a);
      await driver.request('create', { backend: 'wireguard-go' });
    });

    afterAll(async () => {
      try {
        await driver?.stop();
      } finally {
        await destroyAllNamespaces();
      }
    });

    /** The gateway side, configured the way a person would: wireguard-go, then wg and ip. */
    async function startGateway(agentPublicKey: string): Promise<void> {
      spawn('ip', ['netns', 'exec', net.b, 'wireguard-go', '-f', gatewayInterface], { stdio: 'ignore' });
      await waitFor(() => uapiSocketIsLive(uapiSocketPath(gatewayInterface)), { what: 'the gateway wireguard-go socket' });
      await withPrivateKeyFile(gatewayKeys.privateKey, (keyFile) =>
        net.exec(net.b, 'wg', ['set', gatewayInterface, 'private-key', keyFile, 'listen-port', String(GATEWAY_UDP_PORT),
          'peer', agentPublicKey, 'allowed-ips', `${AGENT_TUNNEL_ADDRESS}${HOST}`]),
      );
      const noDad = tunnel.host === 128 ? ['nodad'] : []; // usable at once, not "tentative"
      await net.exec(net.b, 'ip', ['address', 'add', `${GATEWAY_TUNNEL_ADDRESS}${HOST}`, 'dev', gatewayInterface, ...noDad]);
      await net.exec(net.b, 'ip', ['link', 'set', 'dev', gatewayInterface, 'up']);
      await net.exec(net.b, 'ip', ['route', 'add', `${AGENT_TUNNEL_ADDRESS}${HOST}`, 'dev', gatewayInterface]);
    }

    async function probe(namespace: string, target: { host: string; port: number; localAddress?: string; timeoutMs?: number }): Promise<ProbeResult> {
      const { stdout } = await net.exec(namespace, process.execPath, [TCP_PROBE, JSON.stringify({ message: 'ping', ...target })]);
      return JSON.parse(stdout) as ProbeResult;
    }

    /** From the gateway, through the tunnel, to the agent's listener; retried until it answers. */
    async function expectTrafficFromGateway(what: string): Promise<void> {
      const result = await waitFor(
        async () => {
          const outcome = await probe(net.b, { host: AGENT_TUNNEL_ADDRESS, port: LISTEN_PORT, timeoutMs: 2_000 });
          return outcome.outcome === 'reply' && outcome;
        },
        { what, timeoutMs: 30_000, intervalMs: 200 },
      );
      expect(result.reply).toBe('echo:ping');
    }

    function agentWireGuardGoPids(): number[] {
      return processesInNamespace(net.a).filter((pid) => commandLine(pid).startsWith(`wireguard-go\0-f\0${agentConfig.interfaceName}`));
    }

    function processesInNamespace(namespace: string): number[] {
      const { stdout } = spawnSyncOrThrow('ip', ['netns', 'pids', namespace]);
      return stdout.split('\n').filter(Boolean).map(Number);
    }

    function statusEventsAfter(index: number): Array<{ state: string; reason: string }> {
      return (driver as WireGuardDriver).events
        .slice(index)
        .filter((event): event is DriverEvent & { status: { state: string; reason: string } } => event.event === 'status')
        .map((event) => event.status);
    }

    it('refuses an interface name that a wireguard-go in another namespace serves, and can come up afterwards', async () => {
      const busy = { ...agentConfig, interfaceName: gatewayInterface };
      const failure = await driver!.request('up', { config: busy }).then(
        () => new Error('up() succeeded on a busy interface name'),
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(DriverError);
      expect((failure as DriverError).problems?.map((problem) => problem.code)).toEqual(['interface_busy']);
      expect((failure as DriverError).message).toContain(`--wg-interface`);
      // The gateway's wireguard-go is untouched.
      expect(await uapiSocketIsLive(uapiSocketPath(gatewayInterface))).toBe(true);
      await expect(driver!.request('status')).resolves.toMatchObject({ state: 'failed' });
    });

    it('comes up, handshakes with the gateway, and carries TCP from the gateway to the tunnel listener', async () => {
      await expect(driver!.request('up', { config: agentConfig })).resolves.toMatchObject({ state: 'up' });
      await expect(driver!.request('listen', { port: LISTEN_PORT, allowedSources: agentConfig.peer.allowedIps })).resolves.toEqual({
        address: AGENT_TUNNEL_ADDRESS,
        port: LISTEN_PORT,
      });

      // The agent starts the handshake itself (persistent keepalive): no traffic needed.
      const statistics = await waitFor(
        async () => {
          const current = await driver!.request<{ lastHandshakeAt: string | null; endpoint: string }>('statistics');
          return current.lastHandshakeAt !== null && current;
        },
        { what: 'the first handshake', timeoutMs: 20_000, intervalMs: 200 },
      );
      expect(statistics.endpoint).toBe(`${net.addressB}:${GATEWAY_UDP_PORT}`);

      await expectTrafficFromGateway('a TCP exchange from the gateway through the tunnel');
      const connection = await driver!.waitForEvent((event) => event.event === 'connection', 5_000, 'the accepted connection');
      expect(connection.remoteAddress).toBe(GATEWAY_TUNNEL_ADDRESS);
    });

    it('closes a connection from a source outside allowedSources at once, before reading from it', async () => {
      // From inside the agent's namespace, bound to its veth address: a source not in allowedIps.
      const outsider = tunnel.outsider ?? net.addressA;
      if (tunnel.outsider) await net.exec(net.a, 'ip', ['address', 'add', `${tunnel.outsider}/64`, 'dev', net.vethA, 'nodad']);
      const result = await probe(net.a, { host: AGENT_TUNNEL_ADDRESS, port: LISTEN_PORT, localAddress: outsider, timeoutMs: 10_000 });
      expect(result).toEqual({ outcome: 'closed', bytes: 0 });
      const refused = await driver!.waitForEvent((event) => event.event === 'refused', 5_000, 'the refusal');
      expect(refused.remoteAddress).toBe(outsider);
    });

    it('applies keepalive, endpoint and MTU live, and traffic still passes', async () => {
      const movedPort = GATEWAY_UDP_PORT + 1;
      await net.exec(net.b, 'wg', ['set', gatewayInterface, 'listen-port', String(movedPort)]);
      agentConfig = {
        ...agentConfig,
        mtu: 1380,
        peer: { ...agentConfig.peer, endpoint: `${net.addressB}:${movedPort}`, persistentKeepalive: 10 },
      };
      await expect(driver!.request('apply', { config: agentConfig })).resolves.toMatchObject({ state: 'up' });

      // Traffic that the agent starts reaches the gateway only at the new endpoint: a SYN to a
      // closed port in the gateway's namespace comes back as a refusal through the tunnel.
      const outward = await probe(net.a, { host: GATEWAY_TUNNEL_ADDRESS, port: 9, timeoutMs: 10_000 });
      expect(outward).toEqual({ outcome: 'error', code: 'ECONNREFUSED' });

      const { stdout: keepalive } = await net.exec(net.a, 'wg', ['show', agentConfig.interfaceName, 'persistent-keepalive']);
      expect(keepalive.trim()).toBe(`${gatewayKeys.publicKey}\t10`);
      const { stdout: link } = await net.exec(net.a, 'ip', ['link', 'show', 'dev', agentConfig.interfaceName]);
      expect(link).toContain('mtu 1380');
      const statistics = await driver!.request<{ endpoint: string }>('statistics');
      expect(statistics.endpoint).toBe(`${net.addressB}:${movedPort}`);

      await expectTrafficFromGateway('a TCP exchange after the live apply');
    });

    it('restarts a wireguard-go killed with SIGKILL, re-applies the config, and traffic passes again', async () => {
      const [victim, ...others] = agentWireGuardGoPids();
      expect(victim).toBeDefined();
      expect(others).toEqual([]);
      const eventsBefore = driver!.events.length;

      process.kill(victim as number, 'SIGKILL');

      await waitFor(() => statusEventsAfter(eventsBefore).some((status) => status.state === 'starting' && status.reason.includes('SIGKILL')), {
        what: 'the backend to report the killed wireguard-go',
        timeoutMs: 10_000,
      });
      await waitFor(() => statusEventsAfter(eventsBefore).some((status) => status.state === 'up'), {
        what: 'the backend to be up again',
        timeoutMs: 20_000,
      });
      const [successor] = agentWireGuardGoPids();
      expect(successor).toBeDefined();
      expect(successor).not.toBe(victim);

      // The re-created interface has the whole config again, the live changes included.
      const { stdout: link } = await net.exec(net.a, 'ip', ['link', 'show', 'dev', agentConfig.interfaceName]);
      expect(link).toContain('mtu 1380');
      await expectTrafficFromGateway('a TCP exchange after the restart');
    });

    it('reads a device that wg configured over UAPI, and parses `wg show dump` of it', async () => {
      const device = await uapiGet(uapiSocketPath(gatewayInterface));
      const dumped = parseWgDump((await net.exec(net.b, 'wg', ['show', gatewayInterface, 'dump'])).stdout);
      expect(device.listenPort).toBe(GATEWAY_UDP_PORT + 1);
      for (const peers of [device.peers, dumped]) {
        expect(peers).toHaveLength(1);
        expect(peers[0]).toMatchObject({ publicKey: publicKeyFromPrivate(agentConfig.privateKey), allowedIps: [`${AGENT_TUNNEL_ADDRESS}${HOST}`] });
      }
      expect(dumped[0]?.lastHandshakeAt).toBeInstanceOf(Date);
      expect(dumped[0]?.rxBytes).toBeGreaterThan(0);
    });

    it('auto picks the kernel backend exactly when this kernel can make WireGuard interfaces', async () => {
      // Run in the agent's namespace: the probe interface it may create must not appear on the host.
      const script = `require(${JSON.stringify(SELECT_BACKEND_DIST)}).kernelWireGuardAvailable().then((available) => console.log(JSON.stringify(available)))`;
      const { stdout } = await net.exec(net.a, process.execPath, ['-e', script]);
      // A successful probe loads the module, so afterwards the two must agree.
      expect(JSON.parse(stdout)).toBe(existsSync('/sys/module/wireguard'));
      const { stdout: links } = await net.exec(net.a, 'ip', ['-o', 'link', 'show']);
      expect(links).not.toContain('wgprobe');
    });

    it('down() leaves no interface, route, socket, listener or process; a second down() is harmless', async () => {
      await expect(driver!.request('down')).resolves.toMatchObject({ state: 'down' });

      await expect(net.exec(net.a, 'ip', ['link', 'show', 'dev', agentConfig.interfaceName])).rejects.toThrow(/does not exist|Cannot find device/);
      expect(existsSync(uapiSocketPath(agentConfig.interfaceName))).toBe(false);
      expect(agentWireGuardGoPids()).toEqual([]);
      const { stdout: routes } = await net.exec(net.a, 'ip', [tunnel.host === 128 ? '-6' : '-4', 'route', 'show']);
      expect(routes).not.toContain(GATEWAY_TUNNEL_ADDRESS);
      const { stdout: listening } = await net.exec(net.a, 'ss', ['-Hltn', `sport = :${LISTEN_PORT}`]);
      expect(listening.trim()).toBe('');

      await expect(driver!.request('down')).resolves.toMatchObject({ state: 'down' });
    });
  });
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

function spawnSyncOrThrow(file: string, args: string[]): { stdout: string } {
  const result = spawnSync(file, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${result.stderr}`);
  return { stdout: result.stdout };
}
