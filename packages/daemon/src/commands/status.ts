import { parseFlags, type CommandSpec, type FlagValue } from '../cli/flags.js';
import { booleanFlag, stringFlag } from '../cli/values.js';
import { adminAddressProblem, parseAdminAddress, type AdminAddress } from '../config/admin-address.js';
import { loadConfig } from '../config/load-config.js';
import { UsageError } from '../errors.js';
import { askStatus, describeAdmin } from '../admin/admin-client.js';
import { formatStatus } from './status-format.js';
import { STATUS_HELP } from './help.js';

/**
 * `mcp-workstation status [--admin HOST:PORT|PATH] [--json]`: asks the running daemon's admin
 * listener for /status. Exit codes for scripts and health checks: 0 ready, 1 running but not
 * ready, 3 no daemon answers (as systemctl is-active and LSB init scripts use 3).
 */

export const STATUS_EXIT = { ready: 0, notReady: 1, noDaemon: 3 } as const;

export const STATUS_SPEC: CommandSpec = {
  command: 'status',
  flags: { help: { type: 'boolean', short: 'h' }, admin: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } },
};

export async function statusCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values } = parseFlags(argv, STATUS_SPEC);
  if (booleanFlag(values, 'help')) {
    process.stdout.write(STATUS_HELP);
    return;
  }
  const address = adminAddressOf(values, env);
  const answer = await askStatus(address);
  if (answer.kind === 'none') {
    process.stderr.write(`mcp-workstation: no daemon answers at ${describeAdmin(address)}: ${answer.reason}\n`);
    process.exitCode = STATUS_EXIT.noDaemon;
    return;
  }
  process.stdout.write(booleanFlag(values, 'json') ? `${JSON.stringify(answer.status, null, 2)}\n` : formatStatus(answer.status, describeAdmin(address)));
  process.exitCode = answer.status.ready ? STATUS_EXIT.ready : STATUS_EXIT.notReady;
}

/** --admin as given (a health check must not depend on a config file), else the configuration's admin key. */
function adminAddressOf(values: Record<string, FlagValue>, env: NodeJS.ProcessEnv): AdminAddress {
  const given = stringFlag(values, 'admin');
  if (given !== undefined) {
    const problem = adminAddressProblem(given);
    if (problem !== null) throw new UsageError(`--admin '${given}' ${problem}.`);
    return parseAdminAddress(given);
  }
  const loaded = loadConfig({ argvFlags: { config: stringFlag(values, 'config') }, configPath: stringFlag(values, 'config'), env });
  return parseAdminAddress(loaded.config.admin);
}

