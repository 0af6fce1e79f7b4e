import { DEFAULT_RESTART_WAIT_MS } from './defaults.js';
import { registerFormats } from './formats.js';

/**
 * The daemon's configuration schema, in convict's form: every key has a default, a doc
 * string, a format (formats.ts), the environment variable that sets it and, where one
 * exists, the command-line flag that mirrors it (`arg`, kebab-case; convict never parses
 * argv here, the CLI does). `isPath` marks keys whose relative values are resolved against
 * the config file's folder (or the working directory, for flags and variables).
 *
 * Precedence: flag > environment > file > default. docs/configuration.md lists every key;
 * a test keeps it complete.
 */

registerFormats();

/** macOS only has utun devices; elsewhere the name says what the interface is. */
export function defaultInterfaceName(platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin' ? 'utun7' : 'mcpw0';
}

export const DEFAULT_ADMIN_ADDRESS = '127.0.0.1:8001';

export const DAEMON_SCHEMA = {
  listen: {
    host: {
      doc: 'Address of the local MCP listener (/mcp, /sse, /ws, /servers/<name>/…). 127.0.0.1 keeps it to this machine; anything else also needs security.apiKeyFile and security.allowedHosts.',
      format: 'host-name',
      default: '127.0.0.1',
      env: 'MCP_WORKSTATION_HOST',
      arg: 'host',
    },
    port: {
      doc: 'Port of the local MCP listener; 0 picks a free one.',
      format: 'tcp-port',
      default: 8000,
      env: 'MCP_WORKSTATION_PORT',
      arg: 'port',
    },
  },
  admin: {
    doc: 'Where /healthz, /readyz, /status and /metrics are served, and where `mcp-workstation status` asks: 127.0.0.1:PORT, or the path of a unix socket (created with mode 0600, so only this user can connect).',
    format: 'admin-address',
    default: DEFAULT_ADMIN_ADDRESS,
    env: 'MCP_WORKSTATION_ADMIN',
    arg: 'admin',
    isPath: true,
  },
  logLevel: {
    doc: 'Least important log records written: error, warn, info, debug (every MCP request, one line each) or none.',
    format: 'log-level',
    default: 'info',
    env: 'MCP_WORKSTATION_LOG_LEVEL',
    arg: 'log-level',
  },
  logFormat: {
    doc: 'auto: readable coloured lines on a terminal, JSON lines otherwise (journald, launchd, docker); json or pretty force one.',
    format: 'log-format',
    default: 'auto',
    env: 'MCP_WORKSTATION_LOG_FORMAT',
    arg: 'log-format',
  },
  stateDir: {
    doc: "Directory of the agent's registration, keys and tunnel state (mode 0700). Unset: $XDG_STATE_HOME/mcp-workstation, else ~/.local/state/mcp-workstation.",
    format: 'path',
    default: null,
    nullable: true,
    env: 'MCP_WORKSTATION_STATE_DIR',
    arg: 'state-dir',
    isPath: true,
  },
  tunnel: {
    enabled: {
      doc: 'auto: bring the WireGuard tunnel to the gateway up when this machine is registered (`mcp-workstation register`), serve locally only otherwise. true: refuse to start without a registration. false: never.',
      format: 'tunnel-switch',
      default: 'auto',
      env: 'MCP_WORKSTATION_TUNNEL',
      arg: 'tunnel',
    },
    wgBackend: {
      doc: 'WireGuard implementation. auto: the kernel module where it exists, else wireguard-go. Both need CAP_NET_ADMIN (or root).',
      format: 'wg-backend',
      default: 'auto',
      env: 'MCP_WORKSTATION_WG_BACKEND',
      arg: 'wg-backend',
    },
    wgInterface: {
      doc: 'Name of the WireGuard interface; unique per agent on a machine. Default mcpw0 (utun7 on macOS, where it must be utun<N>).',
      format: 'wg-interface',
      default: defaultInterfaceName(),
      env: 'MCP_WORKSTATION_WG_INTERFACE',
      arg: 'wg-interface',
    },
    caFile: {
      doc: "PEM file of extra certificate authorities to trust for the gateway's HTTPS and WSS (a private CA). Unset: the system's.",
      format: 'path',
      default: null,
      nullable: true,
      env: 'MCP_WORKSTATION_CA_FILE',
      arg: 'ca-file',
      isPath: true,
    },
    allowHttp: {
      doc: 'Allow a plain http:// gateway that is not on this machine. Only for a test gateway: tokens and keys then cross the network unencrypted.',
      format: 'switch',
      default: false,
      env: 'MCP_WORKSTATION_ALLOW_HTTP',
      arg: 'allow-http',
    },
  },
  security: {
    allowedHosts: {
      doc: 'Host header values accepted besides this machine\'s loopback names (DNS-rebinding defence): "name" or "name:port". Needed when listen.host is not loopback.',
      format: 'host-list',
      default: [] as string[],
      env: 'MCP_WORKSTATION_ALLOWED_HOSTS',
      arg: 'allowed-hosts',
    },
    allowedOrigins: {
      doc: 'Browser Origins allowed to call the local listener (a request with any other Origin gets 403; requests without one pass).',
      format: 'origin-list',
      default: [] as string[],
      env: 'MCP_WORKSTATION_ALLOWED_ORIGINS',
      arg: 'allowed-origins',
    },
    apiKeyFile: {
      doc: 'File holding the API key local callers must send (Authorization: Bearer <key>); keep it mode 0600. Unset: no key is required (MCP_WORKSTATION_API_KEY can still give one). The key itself never goes in this file.',
      format: 'path',
      default: null,
      nullable: true,
      env: 'MCP_WORKSTATION_API_KEY_FILE',
      arg: 'api-key-file',
      isPath: true,
    },
    corsOrigins: {
      doc: "Origins that get CORS headers (and pass the Origin check); '*' for any. Empty: no CORS headers.",
      format: 'cors-origin-list',
      default: [] as string[],
      env: 'MCP_WORKSTATION_CORS_ORIGINS',
      arg: 'cors-origins',
    },
  },
  limits: {
    maxBodyBytes: {
      doc: 'Largest request body accepted; larger ones get 413 with a JSON-RPC error.',
      format: 'byte-count',
      default: 4 * 1024 * 1024,
      env: 'MCP_WORKSTATION_MAX_BODY_BYTES',
      arg: 'max-body-bytes',
    },
    streamBufferBytes: {
      doc: "Bytes one outgoing stream (a Streamable HTTP GET or POST stream, a 2026-07-28 listen or request stream, a legacy SSE stream, a WebSocket) may hold for a client that does not read; past it the stream is closed (Streamable HTTP clients resume with Last-Event-ID; 2026-07-28 clients listen or send the request again; legacy SSE and WebSocket sessions end). A Streamable HTTP session's resumption buffer keeps half of it.",
      format: 'byte-count',
      default: 16 * 1024 * 1024,
      env: 'MCP_WORKSTATION_STREAM_BUFFER_BYTES',
    },
    maxSessions: {
      doc: 'Open sessions allowed per server; more get 503 with Retry-After.',
      format: 'positive-count',
      default: 1000,
      env: 'MCP_WORKSTATION_MAX_SESSIONS',
      arg: 'max-sessions',
    },
    sessionIdleMs: {
      doc: 'Sessions idle this long are closed (per-session servers: their child too); 0 never.',
      format: 'milliseconds',
      default: 30 * 60 * 1000,
      env: 'MCP_WORKSTATION_SESSION_IDLE_MS',
      arg: 'session-timeout',
    },
    maxMessageBytes: {
      doc: "Largest message a server may write on its stdout (one line of JSON-RPC); a larger one is dropped, and when it is an answer its request gets a JSON-RPC error naming this limit.",
      format: 'byte-count',
      default: 32 * 1024 * 1024,
      env: 'MCP_WORKSTATION_MAX_MESSAGE_BYTES',
      arg: 'max-message-bytes',
    },
    restartWaitMs: {
      doc: 'Requests that arrive while a server restarts wait this long for it, then fail with an error naming the server.',
      format: 'milliseconds',
      default: DEFAULT_RESTART_WAIT_MS,
      env: 'MCP_WORKSTATION_RESTART_WAIT_MS',
    },
    shutdownGraceMs: {
      doc: 'On SIGTERM/SIGINT, requests in flight get this long to finish before the servers are stopped; a second signal stops at once.',
      format: 'milliseconds',
      default: 10_000,
      env: 'MCP_WORKSTATION_SHUTDOWN_GRACE_MS',
    },
  },
  servers: {
    doc: 'The stdio MCP servers to run, by name: a map of name to server (or a list of servers, each with a name). Empty: `up` serves the embedded default. `up -- <command>` replaces this list with one server.',
    format: 'server-list',
    default: [] as unknown[],
  },
};
