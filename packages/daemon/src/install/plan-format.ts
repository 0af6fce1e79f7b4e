import type { InstallResult, UninstallResult } from './installer.js';

/** The text `service install --dry-run` (and a real install) prints: files, commands, warnings. */

function mode(value: number): string {
  return `0${value.toString(8)}`;
}

export function formatInstallResult(result: InstallResult): string {
  const lines: string[] = [result.dryRun ? 'Dry run: nothing was written or run.' : 'Installed.'];
  lines.push('', result.dryRun ? 'Files it would write:' : 'Files written:');
  for (const file of result.files) {
    const names = file.kind === 'environment' ? `: ${file.names && file.names.length > 0 ? file.names.join(', ') : 'no variables yet'} (values not shown)` : '';
    lines.push(`  ${file.writtenTo}  (${file.kind}, mode ${mode(file.mode)})${names}`);
  }
  lines.push('', result.dryRun ? 'Commands it would run:' : 'Commands run:');
  for (const command of result.commands) lines.push(`  ${command.argv.join(' ')}    # ${command.why}`);
  for (const warning of result.warnings) lines.push('', `warning: ${warning}`);
  for (const blocker of result.blockers) lines.push('', `would fail: ${blocker.problem}`, `  fix: ${blocker.fix}`);
  const unit = result.files.find((file) => file.kind === 'service');
  if (result.dryRun && unit?.content !== undefined) lines.push('', `${unit.target}:`, unit.content.trimEnd());
  return `${lines.join('\n')}\n`;
}

export function formatUninstallResult(result: UninstallResult): string {
  const lines: string[] = [result.dryRun ? 'Dry run: nothing was removed or run.' : 'Uninstalled.'];
  lines.push('', result.dryRun ? 'Files it would remove:' : 'Files removed:', ...(result.removed.length > 0 ? result.removed.map((file) => `  ${file}`) : ['  (none were there)']));
  lines.push('', result.dryRun ? 'Commands it would run:' : 'Commands run:', ...result.commands.map((command) => `  ${command.argv.join(' ')}    # ${command.why}`));
  if (result.kept.length > 0) lines.push('', 'Kept:', ...result.kept.map((item) => `  ${item}`));
  return `${lines.join('\n')}\n`;
}
