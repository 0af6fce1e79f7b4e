import type { LaunchdLayout, ServiceLayout, SystemdLayout } from './layout.js';
import type { ServiceCommand } from './types.js';

/** The service manager commands for each step, as argv (never through a shell). */

function systemctl(layout: SystemdLayout, ...args: string[]): string[] {
  return ['systemctl', ...(layout.scope === 'user' ? ['--user'] : []), ...args];
}

function launchdTarget(layout: LaunchdLayout): string {
  return `${layout.domain}/${layout.label}`;
}

/**
 * After the files are written. `restart` rather than `enable --now`: on a reinstall the
 * service is already running with the old unit, and `--now` would leave it so.
 */
export function installCommands(layout: ServiceLayout): ServiceCommand[] {
  if (layout.manager === 'systemd') {
    return [
      { argv: systemctl(layout, 'daemon-reload'), why: 'read the new unit' },
      { argv: systemctl(layout, 'enable', layout.unitName), why: 'start it at every boot or login' },
      { argv: systemctl(layout, 'restart', layout.unitName), why: 'start it now (or restart it with the new unit)' },
    ];
  }
  return [
    { argv: ['launchctl', 'bootout', launchdTarget(layout)], why: 'unload the previous version, if one is loaded', mayFail: true },
    { argv: ['launchctl', 'enable', launchdTarget(layout)], why: 'clear a disabled mark left by an earlier uninstall' },
    { argv: ['launchctl', 'bootstrap', layout.domain, layout.serviceFile], why: 'load it and start it (RunAtLoad)' },
  ];
}

/** Before the files are removed (systemd: and a reload after). */
export function uninstallCommands(layout: ServiceLayout): { before: ServiceCommand[]; after: ServiceCommand[] } {
  if (layout.manager === 'systemd') {
    return {
      before: [{ argv: systemctl(layout, 'disable', '--now', layout.unitName), why: 'stop it and stop starting it', mayFail: true }],
      after: [{ argv: systemctl(layout, 'daemon-reload'), why: 'forget the removed unit' }],
    };
  }
  return { before: [{ argv: ['launchctl', 'bootout', launchdTarget(layout)], why: 'stop it and unload it', mayFail: true }], after: [] };
}

export function statusCommand(layout: ServiceLayout): string[] {
  return layout.manager === 'systemd' ? systemctl(layout, 'is-active', layout.unitName) : ['launchctl', 'print', launchdTarget(layout)];
}

export interface LogsOptions {
  /** Keep printing new lines (default true). */
  follow?: boolean;
  /** How many past lines to show first (default 100). */
  lines?: number;
}

/**
 * Where the platform keeps the daemon's logs: the journal under systemd; under launchd the file
 * StandardErrorPath names (`log stream` only shows launchd's own messages about the job).
 */
export function logsCommand(layout: ServiceLayout, options: LogsOptions = {}): ServiceCommand {
  const follow = options.follow ?? true;
  const lines = String(options.lines ?? 100);
  if (layout.manager === 'systemd') {
    return {
      argv: ['journalctl', ...(layout.scope === 'user' ? ['--user'] : []), '-u', layout.unitName, '-n', lines, ...(follow ? ['-f'] : [])],
      why: 'the journal keeps the service output',
    };
  }
  return { argv: ['tail', '-n', lines, ...(follow ? ['-F'] : []), layout.logFile], why: 'launchd writes the service output to this file' };
}
