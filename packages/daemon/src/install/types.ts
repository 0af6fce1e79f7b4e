/** The shapes shared by the service renderer, the installer and the commands they run. */

export type ServiceScope = 'user' | 'system';

/** The service managers this module writes for: systemd on Linux, launchd on macOS. */
export type ServicePlatform = 'linux' | 'darwin';

/** The account the service runs as (for a system service: the person who installed it, not root). */
export interface ServiceUser {
  name: string;
  uid: number;
  gid: number;
  group: string;
  home: string;
}

/** How the daemon reports readiness to systemd (`Type=notify`); false renders `Type=exec`. */
export interface NotifySettings {
  /**
   * `main` when the daemon's own process sends the datagrams; `all` when it runs a helper
   * such as `systemd-notify`, whose messages systemd would otherwise ignore.
   */
  access: 'main' | 'all';
  /** The daemon pings at half this interval (systemd tells it WATCHDOG_USEC). */
  watchdogSec: number;
}

/** A command the installer runs (or prints, on a dry run). */
export interface ServiceCommand {
  argv: string[];
  /** Why it runs, for the dry-run listing. */
  why: string;
  /** A failure is expected and harmless (for example stopping a service that is not loaded). */
  mayFail?: boolean;
}
