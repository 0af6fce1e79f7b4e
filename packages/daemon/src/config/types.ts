import type { SessionMode } from '@mcp-workstation/bridge';
import type { BackendChoice } from '@mcp-workstation/tunnel';
import type { LogLevel } from '../logging/levels.js';

/** The daemon's configuration once every source is merged and checked (see schema.ts for each key's meaning). */
export interface DaemonConfig {
  listen: { host: string; port: number };
  /** `HOST:PORT` or a unix socket path: parse it with parseAdminAddress(). */
  admin: string;
  logLevel: LogLevel;
  logFormat: LogFormatChoice;
  /** Always an absolute path after loading (the XDG default when nothing set it). */
  stateDir: string;
  tunnel: {
    enabled: TunnelSwitch;
    wgBackend: BackendChoice;
    wgInterface: string;
    caFile: string | null;
    allowHttp: boolean;
  };
  security: {
    allowedHosts: string[];
    allowedOrigins: string[];
    apiKeyFile: string | null;
    corsOrigins: string[];
  };
  limits: {
    maxBodyBytes: number;
    streamBufferBytes: number;
    maxSessions: number;
    sessionIdleMs: number;
    maxMessageBytes: number;
    restartWaitMs: number;
    shutdownGraceMs: number;
  };
  /** In the order the file lists them; names are unique. */
  servers: ServerConfig[];
}

export type LogFormatChoice = 'auto' | 'json' | 'pretty';
/** `auto`: on when this machine is registered with a gateway, off otherwise. */
export type TunnelSwitch = 'auto' | boolean;

export interface ServerConfig {
  name: string;
  command: string;
  args: string[];
  /** Merged over the daemon's environment; null removes a variable the daemon has. */
  env: Record<string, string | null>;
  /** null: the daemon's own working directory. */
  cwd: string | null;
  shell: boolean;
  sessionMode: SessionMode;
  startTimeoutMs: number;
  restart: ServerRestartPolicy;
}

/** The supervisor's RestartPolicy with every field filled in. */
export interface ServerRestartPolicy {
  enabled: boolean;
  initialDelayMs: number;
  maxDelayMs: number;
  failedAfterExits: number;
  failedWindowMs: number;
  failedRetryDelayMs: number;
}

export type SourceKind = 'default' | 'file' | 'env' | 'flag';

/** Where one key's value came from. `detail` is what a person reads; the other fields are for fixes. */
export interface ConfigSource {
  kind: SourceKind;
  /** "default", "/etc/x/config.yaml:12", "MCP_WORKSTATION_PORT", "--port". */
  detail: string;
  file?: string;
  line?: number;
  /** The key as the file spells it (`servers[0].command` in a list of servers). */
  fileKey?: string;
  envVar?: string;
  flag?: string;
}

/** Parsed flag values as the CLI's parseFlags returns them, keyed by camelCase flag name. */
export type FlagInput = string | boolean | string[] | undefined;

export interface FallbackServer {
  /** Default "default". */
  name?: string;
  command: string;
  args: string[];
  /** Shown as the source of its values, e.g. "embedded @modelcontextprotocol/server-everything". */
  description: string;
}

export interface LoadConfigOptions {
  /** Every flag the command parsed; only those that mirror a config key are read. */
  argvFlags?: Record<string, FlagInput>;
  env?: NodeJS.ProcessEnv;
  /** --config: must exist. Without it MCP_WORKSTATION_CONFIG, then the XDG default if present. */
  configPath?: string;
  /** Relative paths from flags and the environment are resolved against it. Default process.cwd(). */
  cwd?: string;
  /** `up -- <command> [args…]`: serve this one server instead of the file's servers. */
  serverCommand?: string[];
  /** What to serve when neither serverCommand nor the file names a server (the embedded default). */
  fallbackServer?: FallbackServer;
}

export interface ConfigFileInfo {
  path: string;
  format: 'json' | 'yaml';
  /** How it was chosen. */
  origin: 'flag' | 'env' | 'xdg';
  /** Permission bits, for the secrets-in-a-readable-file warning. */
  mode: number;
}

export interface LoadedConfig {
  config: DaemonConfig;
  /** Keyed like "listen.port", "servers.aws.env.AWS_REGION". */
  sources: Map<string, ConfigSource>;
  /** Things worth saying that do not stop the daemon (never secrets). */
  warnings: string[];
  file: ConfigFileInfo | null;
}
