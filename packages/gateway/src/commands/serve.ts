import { parseArgs } from 'node:util';
import { parseDuration } from '../cli/duration.js';
import type { CliIo } from '../cli/io.js';
import { PROGRAM } from '../cli/io.js';
import { HELP_OPTION, integerOption, withUsageErrors } from '../cli/parse.js';
import { UsageError } from '../cli/usage-error.js';
import { DEFAULTS, type GatewayOptions } from '../config.js';
import { startGateway } from '../gateway.js';
import { createStreamLogger, isLogLevel, LOG_LEVELS } from '../log/logger.js';
import { API_KEYS_ENV, loadApiKeys } from '../public/api-keys.js';
import { defaultStateDir } from '../store/state-dir.js';

export const SERVE_HELP = `Usage: ${PROGRAM} serve [options]

Runs the gateway: registration (POST /v1/agents/register), the agents' control WebSocket,
the WireGuard interface with one peer per agent, and the public MCP endpoint
  {gateway URL}/agents/<agentId>/servers/<name>/mcp   (and /sse, /message)
Every registered agent comes back as a peer on restart; no agent registers again.

Options:
  --state-dir DIR          state: tokens, agents, the gateway key (default ${defaultStateDir()})
  --listen HOST:PORT       HTTP listener for agents and MCP clients (default ${DEFAULTS.listen})
  --public-url URL         the gateway's URL as agents and clients reach it (default: the URL a request came to)
  --tls-cert FILE          serve HTTPS with this certificate (PEM) ...
  --tls-key FILE           ... and this key (PEM)
  --api-key-file FILE      API keys for MCP clients, one per line (also: $${API_KEYS_ENV})
  --allowed-origin ORIGIN  a browser Origin allowed on the public endpoint (repeatable; default: none)
  --wg-backend NAME        wireguard-go (default) or none (development only: no tunnel)
  --wg-interface NAME      the gateway's WireGuard interface (default ${DEFAULTS.wgInterface}; unique per host)
  --wg-listen-port N       WireGuard UDP port (default ${DEFAULTS.wgListenPort})
  --wg-endpoint HOST:PORT  what agents send WireGuard to (default: the --public-url host and --wg-listen-port)
  --address-pool CIDR      agents' tunnel addresses (default ${DEFAULTS.addressPool}; the gateway takes the first)
  --mtu N                  tunnel MTU (default ${DEFAULTS.mtu})
  --agent-listen-port N    the TCP port agents serve MCP on inside the tunnel (default ${DEFAULTS.agentListenPort})
  --connect-timeout DURATION  how long a request waits for a connection into the tunnel before 504 (default ${DEFAULTS.connectTimeoutMs / 1000}s)
  --log-level LEVEL        ${LOG_LEVELS.join(', ')} (default info)
  -h, --help               this help

Needs root (or CAP_NET_ADMIN), /dev/net/tun and wireguard-go, wireguard-tools and iproute2.

Examples:
  head -c 32 /dev/urandom | base64 > /etc/mcp-gateway/api-keys && chmod 600 /etc/mcp-gateway/api-keys
  sudo ${PROGRAM} serve --listen 0.0.0.0:8443 --public-url https://gw.example.com:8443 \\
      --tls-cert /etc/mcp-gateway/cert.pem --tls-key /etc/mcp-gateway/key.pem \\
      --api-key-file /etc/mcp-gateway/api-keys
  ${PROGRAM} serve --state-dir ./gw-state --wg-backend none     # development, no tunnel
`;

const OPTIONS = {
  'state-dir': { type: 'string' },
  listen: { type: 'string' },
  'public-url': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'api-key-file': { type: 'string' },
  'allowed-origin': { type: 'string', multiple: true },
  'wg-backend': { type: 'string' },
  'wg-interface': { type: 'string' },
  'wg-listen-port': { type: 'string' },
  'wg-endpoint': { type: 'string' },
  'address-pool': { type: 'string' },
  mtu: { type: 'string' },
  'agent-listen-port': { type: 'string' },
  'connect-timeout': { type: 'string' },
  'log-level': { type: 'string' },
} as const;

/** Runs until SIGINT or SIGTERM; resolves with the exit code. */
export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors('serve', () =>
    parseArgs({ args, options: { ...OPTIONS, ...HELP_OPTION }, allowPositionals: true, strict: true }),
  );
  if (values.help) return io.stdout.write(SERVE_HELP), 0;
  if (positionals.length > 0) throw new UsageError(`serve takes no arguments, got "${positionals[0]}" (see: ${PROGRAM} serve --help)`);
  const level = values['log-level'] ?? 'info';
  if (!isLogLevel(level)) throw new UsageError(`--log-level "${level}": give one of ${LOG_LEVELS.join(', ')}`);
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together: give both or neither');
  const backend = values['wg-backend'] ?? 'wireguard-go';
  if (backend !== 'wireguard-go' && backend !== 'none') throw new UsageError(`--wg-backend "${backend}": give wireguard-go or none`);

  const options: GatewayOptions = {
    stateDir: values['state-dir'] ?? defaultStateDir(io.env),
    listen: values.listen,
    publicUrl: values['public-url'],
    tls: values['tls-cert'] && values['tls-key'] ? { certFile: values['tls-cert'], keyFile: values['tls-key'] } : undefined,
    apiKeys: await loadApiKeys(values['api-key-file'], io.env),
    allowedOrigins: values['allowed-origin'] ?? [],
    wgBackend: backend,
    wgInterface: values['wg-interface'],
    wgListenPort: integerOption('--wg-listen-port', values['wg-listen-port']),
    wgEndpoint: values['wg-endpoint'],
    addressPool: values['address-pool'],
    mtu: integerOption('--mtu', values.mtu),
    agentListenPort: integerOption('--agent-listen-port', values['agent-listen-port']),
    connectTimeoutMs: values['connect-timeout'] === undefined ? undefined : parseDuration('--connect-timeout', values['connect-timeout']),
    logger: createStreamLogger(level, io.stderr),
  };
  const gateway = await startGateway(options);
  await untilSignalled();
  await gateway.close();
  return 0;
}

function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
