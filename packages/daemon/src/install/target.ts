import { ServiceInstallError } from './install-error.js';
import { serviceLayout, type ServiceLayout } from './layout.js';
import { runCommand, type CommandRunner } from './run-command.js';
import { resolveServiceUser } from './service-user.js';
import type { ServicePlatform, ServiceScope, ServiceUser } from './types.js';

/** Which service an install, uninstall, status or logs call is about, and how it reaches the machine. */
export interface ServiceTargetOptions {
  scope: ServiceScope;
  /** Default process.platform; only linux (systemd) and darwin (launchd) have services. */
  platform?: NodeJS.Platform;
  /** The account the service runs as; default: SUDO_USER under sudo, else the current user. */
  user?: ServiceUser;
  /** Default process.env: PATH and the servers' variables are read from it; commands run with it. */
  env?: NodeJS.ProcessEnv;
  /**
   * Where the file system starts (default '/'): files are written under it and the system's
   * state (is systemd running, linger) is read under it. Tests use a temporary directory. The
   * node and CLI paths are checked as they are: they are what the service will run.
   */
  root?: string;
  /** Default: the real effective uid. System scope needs 0. */
  effectiveUid?: number;
  /** Default: runs the command (spawn, no shell). */
  runCommand?: CommandRunner;
}

export interface ServiceTarget {
  scope: ServiceScope;
  platform: ServicePlatform;
  user: ServiceUser;
  env: NodeJS.ProcessEnv;
  root: string;
  effectiveUid: number;
  run: CommandRunner;
  layout: ServiceLayout;
}

export async function resolveTarget(options: ServiceTargetOptions): Promise<ServiceTarget> {
  const platform = servicePlatform(options.platform ?? process.platform);
  const env = options.env ?? process.env;
  const effectiveUid = options.effectiveUid ?? process.geteuid?.() ?? -1;
  const run = options.runCommand ?? runCommand;
  const user = options.user ?? (await resolveServiceUser({ platform, env, effectiveUid, run }));
  return { scope: options.scope, platform, user, env, root: options.root ?? '/', effectiveUid, run, layout: serviceLayout({ platform, scope: options.scope, user, env }) };
}

function servicePlatform(platform: NodeJS.Platform): ServicePlatform {
  if (platform === 'linux' || platform === 'darwin') return platform;
  throw new ServiceInstallError(
    `services can be installed on Linux (systemd) and macOS (launchd), not on ${platform}`,
    'run `mcp-workstation up` in the foreground, or run it with Docker (docker/compose.yaml)',
  );
}
