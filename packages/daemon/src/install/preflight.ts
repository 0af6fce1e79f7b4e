import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { underRoot } from './layout.js';
import { findOnPath, isExecutableFile } from '@mcp-workstation/supervisor';
import type { ServiceTarget } from './target.js';

/**
 * What would stop the service from being installed or from working, found before anything
 * is written, each with its fix. Blockers stop a real install (a dry run lists them);
 * warnings are printed and the install goes on.
 */

export interface Findings {
  blockers: Array<{ problem: string; fix: string }>;
  warnings: string[];
}

export function emptyFindings(): Findings {
  return { blockers: [], warnings: [] };
}

/** The machine's side: privileges, a running service manager, a user session. */
export function checkMachine(target: ServiceTarget, findings: Findings): void {
  const { scope, platform, user, root } = target;
  if (scope === 'system' && target.effectiveUid !== 0) {
    findings.blockers.push({
      problem: 'installing a system service needs root',
      fix: 'run it with sudo, keeping your PATH so the service can find your tools: sudo env "PATH=$PATH" "$(command -v mcp-workstation)" service install --system',
    });
  }
  if (platform !== 'linux') return;
  if (!existsSync(underRoot(root, '/run/systemd/system'))) {
    findings.blockers.push({
      problem: 'systemd is not running on this machine (there is no /run/systemd/system)',
      fix: 'run `mcp-workstation up` in the foreground or under your own supervisor, or use Docker (docker/compose.yaml); on WSL, turn systemd on with [boot] systemd=true in /etc/wsl.conf',
    });
    return;
  }
  if (scope !== 'user') return;
  const runtimeDir = target.env.XDG_RUNTIME_DIR;
  if (runtimeDir === undefined || !existsSync(underRoot(root, path.posix.join(runtimeDir, 'bus')))) {
    findings.blockers.push({
      problem: `there is no systemd user session for ${user.name} (${runtimeDir === undefined ? 'XDG_RUNTIME_DIR is not set' : `no bus in ${runtimeDir}`}): this happens under su, sudo -u or a bare ssh command`,
      fix: `sudo loginctl enable-linger ${user.name}, then log in again (or export XDG_RUNTIME_DIR=/run/user/${user.uid}) and run the install again; or install the system service with --system`,
    });
  }
  if (!existsSync(underRoot(root, path.posix.join('/var/lib/systemd/linger', user.name)))) {
    findings.warnings.push(
      `${user.name}'s services run only while ${user.name} is logged in: to keep mcp-workstation running after logout and start it at boot, run \`sudo loginctl enable-linger ${user.name}\``,
    );
  }
}

/** The node and CLI the service will run: a unit pointing at a missing file fails at every boot. */
export function checkProgram(nodePath: string, cliPath: string, findings: Findings): void {
  if (!isExecutableFile(nodePath)) {
    findings.blockers.push({ problem: `${nodePath} is not an executable file`, fix: 'give the node executable the service should run (`command -v node`)' });
  }
  if (!existsSync(cliPath)) {
    findings.blockers.push({
      problem: `${cliPath} does not exist`,
      fix: 'give the mcp-workstation CLI entry (packages/daemon/bin/mcp-workstation.js, or the installed bin), and build it first (npm run build)',
    });
  }
}

/** The servers' commands, looked up on the PATH the service will have. */
export function checkServerCommands(commands: readonly string[], servicePath: string, findings: Findings): void {
  for (const command of new Set(commands)) {
    if (findOnPath(command, servicePath) === null) {
      findings.warnings.push(
        `\`${command}\` is not on the PATH the service will have (${servicePath}): install it, or run the install from a shell where \`command -v ${command}\` finds it`,
      );
    }
  }
}

/** Under sudo the PATH is often replaced by secure_path, which lacks ~/.local/bin and friends. */
export function checkSudoPath(target: ServiceTarget, installPath: string | undefined, findings: Findings): void {
  if (target.env.SUDO_USER === undefined || target.scope !== 'system') return;
  const home = target.user.home.endsWith('/') ? target.user.home : `${target.user.home}/`;
  const entries = (installPath ?? '').split(':');
  if (!entries.some((entry) => entry.startsWith(home))) {
    findings.warnings.push(
      `the PATH recorded for the service has nothing under ${target.user.home}: sudo may have replaced yours (secure_path), and tools in ~/.local/bin (uvx) will not be found. Run: sudo env "PATH=$PATH" "$(command -v mcp-workstation)" service install --system`,
    );
  }
}
