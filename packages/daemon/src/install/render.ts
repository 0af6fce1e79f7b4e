import * as path from 'node:path';
import type { LaunchdLayout, ServiceLayout, SystemdLayout } from './layout.js';
import { ServiceInstallError } from './install-error.js';
import { stringElements, xmlText } from './plist-syntax.js';
import { environmentAssignment, execLine, lineValue } from './systemd-syntax.js';
import { fillTemplate } from './template.js';
import { readTemplate } from './template-files.js';
import type { NotifySettings, ServicePlatform, ServiceScope, ServiceUser } from './types.js';
import { DAEMON_NODE_FLAGS } from './node-flags.js';

/**
 * Turns what `service install` learned about this machine into the unit or property list.
 * Only what is not secret goes in: the command, PATH, the user, paths. The servers'
 * environment goes to the 0600 environment file (env-file.ts).
 */

export interface ServiceDefinition {
  platform: ServicePlatform;
  scope: ServiceScope;
  /** Absolute path of the node executable that runs the daemon. */
  nodePath: string;
  /** Absolute path of the CLI entry (packages/daemon/bin/mcp-workstation.js or the installed bin). */
  cliPath: string;
  /** Absolute path of the config file, when there is one. */
  configPath?: string;
  stateDir: string;
  /** Further flags for `up` (for example --admin). */
  extraUpArgs?: readonly string[];
  /** The PATH the service gets (service-path.ts). */
  path: string;
  user: ServiceUser;
  /** The WireGuard tunnel (kernel or wireguard-go backend) will run: it needs CAP_NET_ADMIN, or root on macOS. */
  needsNetAdmin: boolean;
  /** systemd readiness and watchdog; false renders Type=exec. Default: access main, watchdog 30 s. */
  notify?: NotifySettings | false;
}

export interface RenderOptions {
  /** Directories to look for the templates in; default template-files.ts. */
  templateDirs?: readonly string[];
}

export const DEFAULT_NOTIFY: NotifySettings = { access: 'main', watchdogSec: 30 };

export function renderServiceFile(definition: ServiceDefinition, layout: ServiceLayout, options: RenderOptions = {}): string {
  checkDefinition(definition);
  const template = readTemplate(layout.template, options.templateDirs);
  return layout.manager === 'systemd' ? renderSystemd(definition, layout, template) : renderLaunchd(definition, layout, template);
}

/** The daemon's command line: `node <cli> up …`. launchd has no EnvironmentFile, so the daemon reads it. */
export function daemonArgv(definition: ServiceDefinition, layout: ServiceLayout): string[] {
  return [
    definition.nodePath,
    ...DAEMON_NODE_FLAGS,
    definition.cliPath,
    'up',
    ...(definition.configPath !== undefined ? ['--config', definition.configPath] : []),
    '--state-dir',
    definition.stateDir,
    ...(layout.manager === 'launchd' ? ['--env-file', layout.envFile] : []),
    ...(definition.extraUpArgs ?? []),
  ];
}

/** On macOS only root may create a utun interface: with the tunnel, the LaunchDaemon runs as root. */
export function runsAsRoot(definition: Pick<ServiceDefinition, 'platform' | 'scope' | 'needsNetAdmin'>): boolean {
  return definition.platform === 'darwin' && definition.scope === 'system' && definition.needsNetAdmin;
}

function renderSystemd(definition: ServiceDefinition, layout: SystemdLayout, template: string): string {
  const notify = definition.notify === undefined ? DEFAULT_NOTIFY : definition.notify;
  const stateDirectory = systemdStateDirectory(definition.stateDir);
  return fillTemplate(layout.template, template, {
    values: {
      USER: lineValue('the user name', definition.user.name),
      GROUP: lineValue('the group name', definition.user.group),
      EXEC_START: execLine(daemonArgv(definition, layout)),
      WORKING_DIRECTORY: lineValue('the home directory', definition.user.home),
      PATH_ASSIGNMENT: environmentAssignment('PATH', definition.path),
      ENV_FILE: lineValue('the environment file', layout.envFile),
      NOTIFY_ACCESS: notify ? notify.access : '',
      WATCHDOG_SEC: notify ? `${notify.watchdogSec}s` : '',
      STATE_DIRECTORY: stateDirectory ?? '',
    },
    flags: { NOTIFY: notify !== false, NET_ADMIN: definition.needsNetAdmin, STATE_DIRECTORY: stateDirectory !== null },
  });
}

/**
 * A state directory under /var/lib is made by systemd (StateDirectory=), owned by the service's
 * user with mode 0700: the user could not create it there.
 */
function systemdStateDirectory(stateDir: string): string | null {
  const relative = path.posix.relative('/var/lib', stateDir);
  if (relative === '' || relative.startsWith('..') || path.posix.isAbsolute(relative)) return null;
  return lineValue('the state directory', relative);
}

function renderLaunchd(definition: ServiceDefinition, layout: LaunchdLayout, template: string): string {
  const asRoot = runsAsRoot(definition);
  return fillTemplate(layout.template, template, {
    values: {
      LABEL: xmlText('the label', layout.label),
      USER: xmlText('the user name', definition.user.name),
      PROGRAM_ARGUMENTS: stringElements('a command-line argument', daemonArgv(definition, layout), '    '),
      PATH: xmlText('PATH', definition.path),
      HOME: xmlText('the home directory', definition.user.home),
      WORKING_DIRECTORY: xmlText('the home directory', definition.user.home),
      LOG_FILE: xmlText('the log file', layout.logFile),
    },
    flags: { USER_NAME: !asRoot },
  });
}

function checkDefinition(definition: ServiceDefinition): void {
  const absolute: Array<[string, string | undefined]> = [
    ['the node executable', definition.nodePath],
    ['the mcp-workstation CLI', definition.cliPath],
    ['the config file', definition.configPath],
    ['the state directory', definition.stateDir],
    ['the home directory', definition.user.home],
  ];
  for (const [what, value] of absolute) {
    if (value !== undefined && !path.posix.isAbsolute(value)) {
      throw new ServiceInstallError(`${what} must be an absolute path for a service, not '${value}'`, 'give the full path (a service does not start in your current directory)');
    }
  }
  const notify = definition.notify;
  if (notify && (!Number.isInteger(notify.watchdogSec) || notify.watchdogSec < 2)) {
    throw new ServiceInstallError(`the watchdog interval must be a whole number of seconds, 2 or more, not ${notify.watchdogSec}`, 'choose for example 30');
  }
}
