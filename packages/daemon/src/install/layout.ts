import * as path from 'node:path';
import type { ServicePlatform, ServiceScope, ServiceUser } from './types.js';

/** Where each kind of service keeps its files, and what its manager calls it. */

export const SYSTEMD_UNIT_NAME = 'mcp-workstation.service';
export const LAUNCHD_LABELS: Record<ServiceScope, string> = { user: 'dev.mcp-workstation.agent', system: 'dev.mcp-workstation.daemon' };
export const ENV_FILE_NAME = 'service.env';
export const LAUNCHD_LOG_NAME = 'mcp-workstation.log';

export interface SystemdLayout {
  manager: 'systemd';
  scope: ServiceScope;
  unitName: string;
  /** Paths as the running system sees them (the installer's `root` is not part of them). */
  serviceFile: string;
  envFile: string;
  template: string;
}

export interface LaunchdLayout {
  manager: 'launchd';
  scope: ServiceScope;
  label: string;
  /** `gui/<uid>` for a LaunchAgent, `system` for a LaunchDaemon. */
  domain: string;
  serviceFile: string;
  envFile: string;
  logDir: string;
  logFile: string;
  template: string;
}

export type ServiceLayout = SystemdLayout | LaunchdLayout;

export interface LayoutInput {
  platform: ServicePlatform;
  scope: ServiceScope;
  user: ServiceUser;
  /** For XDG_CONFIG_HOME, which systemd's user manager honours too. */
  env: NodeJS.ProcessEnv;
}

export function serviceLayout(input: LayoutInput): ServiceLayout {
  return input.platform === 'linux' ? systemdLayout(input) : launchdLayout(input);
}

function systemdLayout({ scope, user, env }: LayoutInput): SystemdLayout {
  if (scope === 'system') {
    return {
      manager: 'systemd',
      scope,
      unitName: SYSTEMD_UNIT_NAME,
      serviceFile: path.posix.join('/etc/systemd/system', SYSTEMD_UNIT_NAME),
      envFile: path.posix.join('/etc/mcp-workstation', ENV_FILE_NAME),
      template: 'mcp-workstation.system.service',
    };
  }
  const configHome = userConfigHome(user, env);
  return {
    manager: 'systemd',
    scope,
    unitName: SYSTEMD_UNIT_NAME,
    serviceFile: path.posix.join(configHome, 'systemd', 'user', SYSTEMD_UNIT_NAME),
    envFile: path.posix.join(configHome, 'mcp-workstation', ENV_FILE_NAME),
    template: 'mcp-workstation.user.service',
  };
}

function launchdLayout({ scope, user, env }: LayoutInput): LaunchdLayout {
  const label = LAUNCHD_LABELS[scope];
  if (scope === 'system') {
    return {
      manager: 'launchd',
      scope,
      label,
      domain: 'system',
      serviceFile: path.posix.join('/Library/LaunchDaemons', `${label}.plist`),
      envFile: path.posix.join('/etc/mcp-workstation', ENV_FILE_NAME),
      logDir: '/Library/Logs/mcp-workstation',
      logFile: path.posix.join('/Library/Logs/mcp-workstation', LAUNCHD_LOG_NAME),
      template: 'dev.mcp-workstation.daemon.plist',
    };
  }
  const logDir = path.posix.join(user.home, 'Library', 'Logs', 'mcp-workstation');
  return {
    manager: 'launchd',
    scope,
    label,
    domain: `gui/${user.uid}`,
    serviceFile: path.posix.join(user.home, 'Library', 'LaunchAgents', `${label}.plist`),
    envFile: path.posix.join(userConfigHome(user, env), 'mcp-workstation', ENV_FILE_NAME),
    logDir,
    logFile: path.posix.join(logDir, LAUNCHD_LOG_NAME),
    template: 'dev.mcp-workstation.agent.plist',
  };
}

/** $XDG_CONFIG_HOME when it is absolute (the spec says to ignore a relative one), else ~/.config. */
function userConfigHome(user: ServiceUser, env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  return xdg !== undefined && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(user.home, '.config');
}

/** A target path inside the installer's root (a temporary directory in tests, '/' for real). */
export function underRoot(root: string, target: string): string {
  return root === '/' ? target : path.join(root, target);
}
