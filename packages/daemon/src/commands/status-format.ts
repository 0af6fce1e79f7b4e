import type { ComponentStatus, DaemonStatus } from '../health/daemon-status.js';

/** `mcp-workstation status` for a person: the verdict, then one line per component with its state and reason. */

export function formatStatus(status: DaemonStatus, where: string): string {
  const lines = [`mcp-workstation ${status.versions.mcpWorkstation} (pid ${status.pid}, up ${duration(status.uptimeSeconds)}, admin ${where}): ${verdict(status)}`];
  const width = Math.max(...status.components.map((component) => component.name.length), 6);
  for (const component of status.components) lines.push(`  ${component.name.padEnd(width)}  ${component.state.padEnd(8)}  ${component.reason}${optional(component)}`);
  if (!status.ready && status.notReady.length > 0) lines.push('', 'Not ready because:', ...status.notReady.map((reason) => `  - ${reason}`));
  if (status.lastErrors.length > 0) {
    lines.push('', 'Last errors and warnings:');
    for (const entry of status.lastErrors.slice(-5)) lines.push(`  ${entry.at} ${entry.level}${entry.server ? ` [${entry.server}]` : ''} ${entry.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function verdict(status: DaemonStatus): string {
  if (status.ready) return 'ready';
  return status.status === 'stopping' ? 'stopping' : `not ready (${status.status})`;
}

function optional(component: ComponentStatus): string {
  return component.required ? '' : ' (not required)';
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
