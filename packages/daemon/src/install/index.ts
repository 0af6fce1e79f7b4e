// Public face of the service installer: `mcp-workstation service install|uninstall|status`
// and `logs` call these. Not wired into the CLI here; see docs/running-as-a-service.md.
export { installService, uninstallService, serviceStatus, serviceLogsCommand } from './installer.js';
export type { InstallServiceOptions, InstallResult, PlannedFile, CommandOutcome, UninstallResult, ServiceStatusResult } from './installer.js';
export { formatInstallResult, formatUninstallResult } from './plan-format.js';
export type { ServiceTargetOptions } from './target.js';
export type { LogsOptions } from './commands.js';
export type { ManagerStatus, ServiceState } from './status.js';
export { renderServiceFile, daemonArgv, DEFAULT_NOTIFY } from './render.js';
export type { ServiceDefinition } from './render.js';
export { serviceLayout, SYSTEMD_UNIT_NAME, LAUNCHD_LABELS } from './layout.js';
export type { ServiceLayout, SystemdLayout, LaunchdLayout } from './layout.js';
export { parseEnvFile, formatEnvFile, EnvFileSyntaxError } from './env-file.js';
export { servicePath } from './service-path.js';
export { resolveServiceUser, lookupUser } from './service-user.js';
export { ServiceInstallError } from './install-error.js';
export type { CommandRunner, CommandResult } from './run-command.js';
export type { ServiceScope, ServicePlatform, ServiceUser, NotifySettings, ServiceCommand } from './types.js';
