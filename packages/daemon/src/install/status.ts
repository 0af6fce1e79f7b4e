import type { CommandResult } from './run-command.js';

/** What `systemctl is-active` or `launchctl print` said, in one shape. */

export type ServiceState = 'running' | 'starting' | 'stopping' | 'stopped' | 'failed' | 'not-loaded' | 'unknown';

export interface ManagerStatus {
  state: ServiceState;
  pid?: number;
  lastExitCode?: number;
  /** The manager's own words, for the person reading it. */
  detail: string;
}

const SYSTEMD_STATES: Record<string, ServiceState> = {
  active: 'running',
  reloading: 'running',
  activating: 'starting',
  deactivating: 'stopping',
  inactive: 'stopped',
  failed: 'failed',
};

/** `systemctl is-active` prints the state and exits non-zero for anything but active. */
export function parseSystemdStatus(result: CommandResult): ManagerStatus {
  const word = result.stdout.trim().split('\n')[0] ?? '';
  return { state: SYSTEMD_STATES[word] ?? 'unknown', detail: word || result.stderr.trim() };
}

/** `launchctl print <domain>/<label>`: exit 113 "Could not find service" when it is not loaded. */
export function parseLaunchdStatus(result: CommandResult): ManagerStatus {
  if (result.code !== 0) return { state: 'not-loaded', detail: (result.stderr || result.stdout).trim() };
  const field = (name: string): string | undefined => new RegExp(`^\\s*${name} = (.+)$`, 'm').exec(result.stdout)?.[1]?.trim();
  const state = field('state');
  const pid = Number(field('pid'));
  const lastExit = Number(field('last exit code'));
  const status: ManagerStatus = {
    state: state === 'running' ? 'running' : Number.isInteger(lastExit) && lastExit !== 0 ? 'failed' : state === undefined ? 'unknown' : 'stopped',
    detail: `state = ${state ?? 'unknown'}`,
  };
  if (Number.isInteger(pid) && pid > 0) status.pid = pid;
  if (Number.isInteger(lastExit)) status.lastExitCode = lastExit;
  return status;
}
