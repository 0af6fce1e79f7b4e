import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { parseFlags } from '../cli/flags.js';
import { booleanFlag, positiveIntegerFlag, stringFlag } from '../cli/values.js';
import { UsageError, UserError } from '../errors.js';
import { formatInstallResult, formatUninstallResult, installService, serviceLogsCommand, serviceStatus, uninstallService } from '../install/index.js';
import { LOGS_HELP, SERVICE_HELP } from './help.js';
import { LOGS_SPEC, SERVICE_SPEC, installOptions, serviceConfig, targetOptions, type ServiceContext } from './service-options.js';

/**
 * `mcp-workstation service install|uninstall|status` and `mcp-workstation logs`: the service
 * installer (src/install/) behind the command line. Results go to stdout; an install that
 * cannot work stops with what to fix (a dry run lists it instead).
 */

/** The CLI entry the service runs: this package's bin (dist/commands -> bin). */
export const CLI_ENTRY = path.resolve(__dirname, '..', '..', 'bin', 'mcp-workstation.js');

function context(env: NodeJS.ProcessEnv): ServiceContext {
  return { env, cwd: process.cwd(), cliPath: CLI_ENTRY };
}

export async function serviceCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h' || action === 'help') {
    process.stdout.write(SERVICE_HELP);
    return;
  }
  const { values } = parseFlags(rest, { ...SERVICE_SPEC, command: `service ${action}` });
  if (booleanFlag(values, 'help')) {
    process.stdout.write(SERVICE_HELP);
    return;
  }
  const ctx = context(env);
  switch (action) {
    case 'install': {
      const result = await installService(await installOptions(values, ctx));
      process.stdout.write(formatInstallResult(result));
      if (!result.dryRun) process.stdout.write('\nCheck it with: mcp-workstation service status && mcp-workstation status\n');
      return;
    }
    case 'uninstall': {
      const stateDir = serviceConfig(values, ctx).config.stateDir;
      process.stdout.write(formatUninstallResult(await uninstallService({ ...targetOptions(values, ctx), dryRun: booleanFlag(values, 'dryRun'), stateDir })));
      return;
    }
    case 'status': {
      const status = await serviceStatus(targetOptions(values, ctx));
      process.stdout.write(`${status.installed ? `installed: ${status.serviceFile}` : 'not installed'}\nstate: ${status.state} (${status.command.join(' ')}: ${status.detail})\n`);
      process.exitCode = status.state === 'running' ? 0 : 3;
      return;
    }
    default:
      throw new UsageError(`unknown service action '${action}': use install, uninstall or status. Run 'mcp-workstation service --help'.`);
  }
}

/** `mcp-workstation logs [--system] [--lines N] [--no-follow]`: the platform's log viewer, with this terminal attached. */
export async function logsCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values } = parseFlags(argv, LOGS_SPEC);
  if (booleanFlag(values, 'help')) {
    process.stdout.write(LOGS_HELP);
    return;
  }
  const lines = positiveIntegerFlag(stringFlag(values, 'lines'), '--lines', 'lines');
  const command = await serviceLogsCommand({ ...targetOptions(values, context(env)), lines, follow: !booleanFlag(values, 'noFollow') });
  process.exitCode = await runAttached(command.argv, env);
}

function runAttached(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit', env });
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new UserError(`cannot run ${argv.join(' ')}: ${error.code === 'ENOENT' ? `${argv[0]} is not installed or not on PATH` : error.message}`)),
    );
    child.once('close', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 0 : 1)));
  });
}
