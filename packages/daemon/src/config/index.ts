// The daemon's configuration: one convict schema, four sources (flag > environment > file >
// default), every value's source remembered, and errors that exit with 78 (EX_CONFIG).
export { loadConfig } from './load-config.js';
export { checkConfig } from './check-config.js';
export type { CheckResult } from './check-config.js';
export { describeConfig } from './describe-config.js';
export { ConfigError, EX_CONFIG } from './config-error.js';
export type { ConfigProblem } from './config-error.js';
export { configFlagSpecs, OTHER_ENV_VARS } from './environment-and-flags.js';
export { CONFIG_ENV_VAR, defaultConfigPath } from './config-file.js';
export { parseAdminAddress, ADMIN_SOCKET_MODE } from './admin-address.js';
export type { AdminAddress } from './admin-address.js';
export { toServerCommand, toRestartPolicy } from './server-command.js';
export { configReference } from './reference.js';
export type { ConfigKeyReference } from './reference.js';
export { describeSource } from './sources.js';
export { isSecretKey, redactArguments, REDACTED } from './secrets.js';
export { DAEMON_SCHEMA, DEFAULT_ADMIN_ADDRESS } from './schema.js';
export { SERVER_SCHEMA, SERVER_NAME_RULE } from './server-schema.js';
export { ONE_OFF_SERVER_NAME, DEFAULT_START_TIMEOUT_MS } from './defaults.js';
export type {
  ConfigFileInfo,
  ConfigSource,
  DaemonConfig,
  FallbackServer,
  FlagInput,
  LoadConfigOptions,
  LoadedConfig,
  LogFormatChoice,
  ServerConfig,
  ServerRestartPolicy,
  SourceKind,
  TunnelSwitch,
} from './types.js';
