import { resolveStateDir } from '@mcp-workstation/tunnel';
import { awsServerWarnings } from '../aws/warnings.js';
import { isSocketPath } from './admin-address.js';
import { ConfigError } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import { loadConfigFile } from './config-file.js';
import type { ConfigFile } from './config-file.js';
import { applyEnvironment, applyFlags, unknownEnvironmentWarnings } from './environment-and-flags.js';
import { fileValues } from './file-keys.js';
import { ROOT_KEY_HINTS } from './key-hints.js';
import { homeDirectory } from './paths.js';
import type { PathContext } from './paths.js';
import { DAEMON_SCHEMA } from './schema.js';
import { resolveServers } from './servers.js';
import { SourcedConfig } from './sourced-config.js';
import { defaultSource } from './sources.js';
import type { ConfigSource, DaemonConfig, LoadConfigOptions, LoadedConfig } from './types.js';
import { exposureWarnings, serverWarnings } from './warnings.js';

/**
 * The daemon's configuration from every source: defaults < file < environment < flags.
 * Every problem is collected before anything is thrown, so one run shows them all. Throws
 * ConfigError (exit code 78); never reads a secret (apiKeyFile is a path, read by the caller).
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const context: PathContext = { cwd: options.cwd ?? process.cwd(), home: homeDirectory(env) };
  const flags = options.argvFlags ?? {};
  const warnings: string[] = [];
  const problems: ConfigProblem[] = [];

  const file = loadConfigFile({ configPath: options.configPath, env, ...context }, warnings);
  const root = new SourcedConfig<DaemonConfig>(DAEMON_SCHEMA, { paths: context, isPathValue: (leaf, value) => leaf.key !== 'admin' || isSocketPath(value) });
  if (file) applyFile(root, file, problems);
  applyEnvironment(root, env);
  applyFlags(root, flags);
  root.check(problems, new Set(['servers']));

  const servers = resolveServers({ file, serverCommand: options.serverCommand, fallback: options.fallbackServer, flags, context }, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  root.set('servers', servers.servers, servers.source);
  const config = root.properties();
  const sources = new Map<string, ConfigSource>([...root.entries(), ...servers.sources]);
  fillStateDir(config, sources, env, context.home);
  warnings.push(
    ...servers.warnings,
    ...config.servers.flatMap((server) => serverWarnings(server, file)),
    ...exposureWarnings(config),
    ...unknownEnvironmentWarnings(env),
    // The AWS guide's gotchas: config check, doctor, the start-up log and a reload all show these.
    ...awsServerWarnings(config.servers),
  );
  return { config, sources, warnings, file: file?.info ?? null };
}

function applyFile(root: SourcedConfig<DaemonConfig>, file: ConfigFile, problems: ConfigProblem[]): void {
  const walk = { schema: DAEMON_SCHEMA, file, keyPrefix: '', fileKeyPrefix: '', hints: ROOT_KEY_HINTS, skip: new Set(['servers']), extensionKeys: true };
  for (const value of fileValues(file.data, walk, problems)) root.set(value.key, value.value, file.sourceOf(value.fileKey));
}

/** Unset stateDir means the tunnel's own default; say which, so `config print` shows the real one. */
function fillStateDir(config: DaemonConfig, sources: Map<string, ConfigSource>, env: NodeJS.ProcessEnv, home: string): void {
  if (sources.get('stateDir')?.kind !== 'default') return;
  config.stateDir = resolveStateDir({ env, homeDir: home });
  const xdg = env.XDG_STATE_HOME;
  sources.set('stateDir', defaultSource(xdg !== undefined && xdg.startsWith('/') ? '$XDG_STATE_HOME/mcp-workstation' : '~/.local/state/mcp-workstation'));
}
