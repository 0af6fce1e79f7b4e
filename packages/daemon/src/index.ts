// Public face of the mcp-workstation package: the CLI's entry points and the wiring, for
// embedding the daemon or testing it in-process. The executable is dist/cli.js.
export { runCli } from './cli/main.js';
export { startService } from './wiring.js';
export type { RunningService, ServedServer, ServerChanges, ServiceConfig, ServiceHooks } from './wiring.js';
export { runService } from './service/run.js';
export type { RunOptions } from './service/run.js';
export type { DaemonRuntime } from './service/runtime.js';
export type { ComponentStatus, DaemonStatus } from './health/daemon-status.js';
export { createLogger } from './logging/logger.js';
export type { DaemonLogger, LogFormat, LoggerOptions } from './logging/logger.js';
export { KnownSecrets } from './logging/redact.js';
export { UserError, UsageError } from './errors.js';
