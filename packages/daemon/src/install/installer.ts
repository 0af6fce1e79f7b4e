import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { installCommands, logsCommand, statusCommand, uninstallCommands, type LogsOptions } from './commands.js';
import { EnvFileSyntaxError, formatEnvFile, isEnvName, mergeEnv, parseEnvFile } from './env-file.js';
import { ensureDirectory, exists, readTextIfExists, writeFileAtomic, type FileOwner } from './file-writer.js';
import { ServiceInstallError } from './install-error.js';
import { underRoot, type ServiceLayout } from './layout.js';
import { checkMachine, checkProgram, checkServerCommands, checkSudoPath, emptyFindings, type Findings } from './preflight.js';
import { renderServiceFile, runsAsRoot, type ServiceDefinition } from './render.js';
import type { CommandResult } from './run-command.js';
import { servicePath, unsafePathEntries, type ServicePath } from './service-path.js';
import { parseLaunchdStatus, parseSystemdStatus, type ManagerStatus } from './status.js';
import { resolveTarget, type ServiceTarget, type ServiceTargetOptions } from './target.js';
import type { NotifySettings, ServiceCommand } from './types.js';

/** `mcp-workstation service install|uninstall|status|logs`, as a library the CLI calls. */

export interface InstallServiceOptions extends ServiceTargetOptions {
  /** Default process.execPath. */
  nodePath?: string;
  cliPath: string;
  configPath?: string;
  stateDir: string;
  /** Further flags for `up` (for example ['--admin', '/run/…/admin.sock']). */
  extraUpArgs?: readonly string[];
  /** Names of the variables the servers need (from the config); their values are read from `env` now. */
  serverEnvNames?: readonly string[];
  /** The servers' commands (from the config), checked on the PATH the service will have. */
  serverCommands?: readonly string[];
  needsNetAdmin: boolean;
  notify?: NotifySettings | false;
  templateDirs?: readonly string[];
  /** Write nothing and run nothing: return what would be written and run, and what would fail. */
  dryRun?: boolean;
  /** A system service records PATH entries others can write instead of refusing them (with a warning). */
  force?: boolean;
}

export interface PlannedFile {
  /** As the running system sees it. */
  target: string;
  /** Where it is written (target under `root`). */
  writtenTo: string;
  kind: 'service' | 'environment' | 'log directory';
  mode: number;
  owner?: FileOwner;
  /** The unit or plist; never given for the environment file (it may hold secrets). */
  content?: string;
  /** The environment file's variable names (values are not shown). */
  names?: string[];
}

export interface CommandOutcome extends ServiceCommand {
  /** Absent on a dry run. */
  result?: CommandResult;
}

export interface InstallResult {
  dryRun: boolean;
  layout: ServiceLayout;
  files: PlannedFile[];
  commands: CommandOutcome[];
  warnings: string[];
  /** On a dry run: what a real install would stop at. A real install throws instead. */
  blockers: Array<{ problem: string; fix: string }>;
}

export async function installService(options: InstallServiceOptions): Promise<InstallResult> {
  const target = await resolveTarget(options);
  const findings = emptyFindings();
  const definition = serviceDefinition(options, target, findings);
  checkMachine(target, findings);
  checkProgram(definition.nodePath, definition.cliPath, findings);
  const writes = await planFiles(options, target, definition, findings);
  const commands = installCommands(target.layout);
  const files = writes.map((write) => write.file);
  const result: InstallResult = { dryRun: options.dryRun === true, layout: target.layout, files, commands, warnings: findings.warnings, blockers: findings.blockers };
  if (options.dryRun) return result;
  throwBlockers(findings);
  for (const write of writes) await writePlanned(write, target);
  result.commands = await runAll(commands, target);
  return result;
}

function serviceDefinition(options: InstallServiceOptions, target: ServiceTarget, findings: Findings): ServiceDefinition {
  if (options.needsNetAdmin && target.scope === 'user') {
    throw new ServiceInstallError(
      target.platform === 'linux'
        ? 'the WireGuard tunnel needs CAP_NET_ADMIN, which a systemd user service cannot be given'
        : 'the WireGuard tunnel needs root on macOS, which a LaunchAgent does not have',
      target.platform === 'linux'
        ? 'install the system service, which runs as you with that one capability: sudo env "PATH=$PATH" "$(command -v mcp-workstation)" service install --system'
        : 'install the LaunchDaemon: sudo env "PATH=$PATH" "$(command -v mcp-workstation)" service install --system',
    );
  }
  const nodePath = options.nodePath ?? process.execPath;
  const pathValue = servicePath(target.env.PATH, path.dirname(nodePath));
  reportDroppedPathEntries(pathValue, findings);
  checkPathOwners(pathValue.value, options, target, findings);
  checkSudoPath(target, target.env.PATH, findings);
  checkServerCommands(options.serverCommands ?? [], pathValue.value, findings);
  const definition: ServiceDefinition = {
    platform: target.platform,
    scope: target.scope,
    nodePath,
    cliPath: options.cliPath,
    configPath: options.configPath,
    stateDir: options.stateDir,
    extraUpArgs: options.extraUpArgs,
    path: pathValue.value,
    user: target.user,
    needsNetAdmin: options.needsNetAdmin,
    notify: options.notify,
  };
  if (runsAsRoot(definition)) {
    findings.warnings.push(`on macOS only root may create the tunnel's interface: the LaunchDaemon runs as root, and so do its MCP servers (with HOME=${target.user.home})`);
  }
  return definition;
}

function reportDroppedPathEntries(pathValue: ServicePath, findings: Findings): void {
  const relative = pathValue.dropped.filter((dropped) => dropped.why === 'relative').map((dropped) => dropped.entry);
  const injected = pathValue.dropped.filter((dropped) => dropped.why === 'package manager').map((dropped) => dropped.entry);
  if (relative.length > 0) findings.warnings.push(`left out of the service's PATH (relative entries mean nothing to a service): ${relative.join(', ')}`);
  if (injected.length > 0) findings.warnings.push(`left out of the service's PATH (npm/npx put these ahead of PATH for the one command they ran): ${injected.join(', ')}`);
}

/**
 * A service runs what its PATH finds first, as its user (root, for a macOS LaunchDaemon),
 * so an entry another user can write lets that user choose what `uvx` is. A system service
 * refuses such entries unless --force; a user service, which runs as you anyway, warns.
 */
function checkPathOwners(searchPath: string, options: InstallServiceOptions, target: ServiceTarget, findings: Findings): void {
  const unsafe = unsafePathEntries(searchPath, [0, target.user.uid], target.root);
  if (unsafe.length === 0) return;
  const list = unsafe.map((each) => `${each.entry} (${each.why})`).join('; ');
  if (target.scope === 'system' && !options.force) {
    findings.blockers.push({
      problem: `the service's PATH would hold directories that a user other than ${target.user.name} or root can write, so they could choose what the service runs: ${list}`,
      fix: 'remove them from PATH for this command (for example: sudo env "PATH=/usr/local/bin:/usr/bin:/bin:$HOME/.local/bin" …), fix their owner and mode, or add --force to record them anyway',
    });
    return;
  }
  findings.warnings.push(`the service's PATH holds directories that others can write (they could choose what the service runs): ${list}`);
}

/** A file to write; `data` stays out of the result (the environment file's may be secret). */
interface PlannedWrite {
  file: PlannedFile;
  data: string;
}

async function planFiles(options: InstallServiceOptions, target: ServiceTarget, definition: ServiceDefinition, findings: Findings): Promise<PlannedWrite[]> {
  const { layout, root } = target;
  const owner = fileOwner(target, definition);
  const unit = renderServiceFile(definition, layout, { templateDirs: options.templateDirs });
  const environment = await environmentFile(options, target, findings);
  const writes: PlannedWrite[] = [
    { file: { target: layout.serviceFile, writtenTo: underRoot(root, layout.serviceFile), kind: 'service', mode: 0o644, owner: owner.service, content: unit }, data: unit },
    { file: { ...environment.file, owner: owner.secrets }, data: environment.data },
  ];
  if (layout.manager === 'launchd') {
    writes.push({ file: { target: layout.logDir, writtenTo: underRoot(root, layout.logDir), kind: 'log directory', mode: 0o755, owner: owner.secrets }, data: '' });
  }
  return writes;
}

/**
 * Who owns what, when we are root and may choose: system units belong to root (launchd refuses
 * a LaunchDaemon plist that does not); the environment file and the log directory belong to
 * whoever reads or writes them: root for systemd (it reads EnvironmentFile= before dropping
 * privileges), else the user the daemon runs as.
 */
function fileOwner(target: ServiceTarget, definition: ServiceDefinition): { service?: FileOwner; secrets?: FileOwner } {
  if (process.geteuid?.() !== 0) return {};
  const root = { uid: 0, gid: 0 };
  const user = runsAsRoot(definition) ? root : { uid: target.user.uid, gid: target.user.gid };
  if (target.scope === 'user') return { service: user, secrets: user };
  return { service: root, secrets: target.layout.manager === 'systemd' ? root : user };
}

async function environmentFile(options: InstallServiceOptions, target: ServiceTarget, findings: Findings): Promise<PlannedWrite> {
  const { layout, root } = target;
  const writtenTo = underRoot(root, layout.envFile);
  const existing = await readExistingEnv(writtenTo);
  const captured: Array<[string, string]> = [];
  for (const name of new Set(options.serverEnvNames ?? [])) {
    if (!isEnvName(name)) throw new ServiceInstallError(`the config names '${name}' as a server environment variable, which is not a usable name`, 'use letters, digits and underscores');
    const value = target.env[name];
    if (value !== undefined) captured.push([name, value]);
    else if (!existing.has(name)) findings.warnings.push(`${name} is listed in the config but not set in this shell: the service will not have it. Set it and install again, or add it to ${layout.envFile}`);
  }
  const entries = mergeEnv(existing, captured);
  return {
    file: { target: layout.envFile, writtenTo, kind: 'environment', mode: 0o600, names: entries.map(([name]) => name) },
    data: formatEnvFile(entries, ENV_FILE_HEADER),
  };
}

const ENV_FILE_HEADER = [
  "The MCP servers' environment for the mcp-workstation service, written by",
  '`mcp-workstation service install`. Mode 0600: values may be secrets, so they are kept out of',
  'the unit or plist. NAME=value per line; quote values with spaces. A reinstall keeps the',
  'variables here and updates those it reads from your shell (comments are not kept).',
  'Restart the service after editing.',
];

async function readExistingEnv(file: string): Promise<Map<string, string>> {
  const text = await readTextIfExists(file);
  if (text === null) return new Map();
  try {
    return parseEnvFile(text);
  } catch (err) {
    if (!(err instanceof EnvFileSyntaxError)) throw err;
    throw new ServiceInstallError(`the existing environment file ${file} cannot be read (${err.message})`, 'correct that line, or delete the file to start again');
  }
}

function throwBlockers(findings: Findings): void {
  if (findings.blockers.length === 0) return;
  const [first, ...rest] = findings.blockers;
  const more = rest.map((b) => `\n- ${b.problem}\n  fix: ${b.fix}`).join('');
  throw new ServiceInstallError(`${first.problem}${more ? `; and also:${more}` : ''}`, first.fix);
}

async function writePlanned({ file, data }: PlannedWrite, target: ServiceTarget): Promise<void> {
  try {
    if (file.kind === 'log directory') return await ensureDirectory(file.writtenTo, file.mode, file.owner);
    // A private directory for the user's own files; a system directory stays readable.
    await ensureDirectory(path.dirname(file.writtenTo), target.scope === 'user' && file.kind === 'environment' ? 0o700 : 0o755);
    await writeFileAtomic(file.writtenTo, data, { mode: file.mode, owner: file.owner });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const fix = code === 'EACCES' || code === 'EPERM' ? (target.scope === 'system' ? 'run the install with sudo' : 'check who owns that directory') : 'check the path';
    throw new ServiceInstallError(`cannot write ${file.writtenTo} (${code}: ${(err as Error).message})`, fix);
  }
}

async function runAll(commands: readonly ServiceCommand[], target: ServiceTarget): Promise<CommandOutcome[]> {
  const outcomes: CommandOutcome[] = [];
  for (const [index, command] of commands.entries()) {
    const result = await target.run(command.argv, target.env);
    outcomes.push({ ...command, result });
    if (result.code !== 0 && !command.mayFail) throw commandFailed(command, result, target, commands.slice(index));
  }
  return outcomes;
}

function commandFailed(command: ServiceCommand, result: CommandResult, target: ServiceTarget, remaining: readonly ServiceCommand[]): ServiceInstallError {
  const shown = command.argv.join(' ');
  const output = (result.stderr || result.stdout).trim().split('\n').slice(-5).join(' | ');
  const then = `then run: ${remaining.map((c) => c.argv.join(' ')).join(' && ')}`;
  if (result.spawnError?.code === 'ENOENT') {
    return new ServiceInstallError(`\`${command.argv[0]}\` was not found on PATH`, `is ${target.platform === 'linux' ? 'systemd' : 'launchd'} this machine's service manager? Run \`mcp-workstation up\` in the foreground otherwise`);
  }
  return new ServiceInstallError(`\`${shown}\` failed (exit ${result.code}${output ? `: ${output}` : ''})`, `${failureHint(target, output)}; ${then}`);
}

function failureHint(target: ServiceTarget, output: string): string {
  if (target.layout.manager === 'systemd' && target.scope === 'user' && /bus|XDG_RUNTIME_DIR/i.test(output)) {
    return `there is no systemd user session: sudo loginctl enable-linger ${target.user.name}, log in again, or export XDG_RUNTIME_DIR=/run/user/${target.user.uid}`;
  }
  if (/permission|access denied|not permitted|interactive authentication/i.test(output)) return 'run it with the privileges it needs (sudo for a system service)';
  if (target.layout.manager === 'launchd') {
    return `check the plist with \`plutil -lint ${target.layout.serviceFile}\`; a LaunchAgent needs a graphical login of ${target.user.name} (over ssh, use --system)`;
  }
  return `the service files are written; see \`${logsCommand(target.layout, { follow: false }).argv.join(' ')}\``;
}

export interface UninstallResult {
  dryRun: boolean;
  layout: ServiceLayout;
  removed: string[];
  commands: CommandOutcome[];
  /** What is left on purpose: the registration and the logs. */
  kept: string[];
}

export async function uninstallService(options: ServiceTargetOptions & { dryRun?: boolean; stateDir?: string }): Promise<UninstallResult> {
  const target = await resolveTarget(options);
  const { before, after } = uninstallCommands(target.layout);
  const files = [target.layout.serviceFile, target.layout.envFile].map((file) => underRoot(target.root, file));
  const present = (await Promise.all(files.map(async (file) => ((await exists(file)) ? file : null)))).filter((file): file is string => file !== null);
  const kept = [
    ...(options.stateDir !== undefined ? [`${options.stateDir} (the registration: delete it to forget this machine)`] : []),
    ...(target.layout.manager === 'launchd' ? [target.layout.logDir] : []),
  ];
  const result: UninstallResult = { dryRun: options.dryRun === true, layout: target.layout, removed: present, commands: [...before, ...after], kept };
  if (options.dryRun) return result;
  if (target.scope === 'system' && target.effectiveUid !== 0) throw new ServiceInstallError('removing a system service needs root', 'run it with sudo');
  const outcomes = await runAll(before, target);
  for (const file of present) await fs.rm(file, { force: true });
  result.commands = [...outcomes, ...(await runAll(after, target))];
  return result;
}

export interface ServiceStatusResult extends ManagerStatus {
  installed: boolean;
  serviceFile: string;
  command: string[];
}

export async function serviceStatus(options: ServiceTargetOptions): Promise<ServiceStatusResult> {
  const target = await resolveTarget(options);
  const installed = await exists(underRoot(target.root, target.layout.serviceFile));
  const command = statusCommand(target.layout);
  const base = { installed, serviceFile: target.layout.serviceFile, command };
  if (!installed) return { ...base, state: 'not-loaded', detail: 'not installed' };
  const result = await target.run(command, target.env);
  if (result.spawnError) return { ...base, state: 'unknown', detail: `${command[0]} could not be run (${result.spawnError.code})` };
  const parsed = target.layout.manager === 'systemd' ? parseSystemdStatus(result) : parseLaunchdStatus(result);
  return { ...base, ...parsed };
}

/**
 * The command that shows the service's logs; the CLI runs it with the terminal attached.
 * Without an installed service there are no logs to show: journalctl would print "No journal
 * files were found." and then follow nothing forever, so that is refused with the way out.
 */
export async function serviceLogsCommand(options: ServiceTargetOptions & LogsOptions): Promise<ServiceCommand> {
  const target = await resolveTarget(options);
  if (!(await exists(underRoot(target.root, target.layout.serviceFile)))) {
    const scope = target.layout.scope === 'system' ? ' --system' : '';
    throw new ServiceInstallError(
      `no mcp-workstation service is installed (${target.layout.serviceFile} does not exist), so there are no service logs to show`,
      `install one with \`mcp-workstation service install${scope}\`; a daemon started in a terminal (\`mcp-workstation up\`) logs to that terminal`,
    );
  }
  return logsCommand(target.layout, options);
}
