import { childEnvironment, runLogin, runsAwsProxy } from '../aws/index.js';
import { parseFlags, type CommandSpec } from '../cli/flags.js';
import { booleanFlag, stringFlag } from '../cli/values.js';
import { loadConfig } from '../config/load-config.js';
import type { ServerConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import { LOGIN_HELP } from './help.js';

/**
 * `mcp-workstation login aws [--profile P] [--config F]`: runs the refresh command of the
 * profile the configured aws server signs with, in this terminal (docs/aws.md). The daemon
 * sees the credential files change and restarts the child itself.
 */

export const LOGIN_AWS_SPEC: CommandSpec = {
  command: 'login aws',
  flags: {
    help: { type: 'boolean', short: 'h' },
    profile: { type: 'string' },
    config: { type: 'string' },
  },
};

export async function loginCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const [what, ...rest] = argv;
  if (what === undefined || what === '--help' || what === '-h' || what === 'help') {
    process.stdout.write(LOGIN_HELP);
    return;
  }
  if (what !== 'aws') throw new UsageError(`unknown login target '${what}': the only one is 'aws' (mcp-workstation login aws --help).`);
  const { values } = parseFlags(rest, LOGIN_AWS_SPEC);
  if (booleanFlag(values, 'help')) {
    process.stdout.write(LOGIN_HELP);
    return;
  }
  const configPath = stringFlag(values, 'config');
  const server = configuredAwsServer(configPath, env);
  const outcome = await runLogin({ profile: stringFlag(values, 'profile') ?? profileArgOf(server), env: childEnvironment(env, server?.env) });
  if (outcome.note) process.stderr.write(`note: ${outcome.note}\n`);
  process.exitCode = outcome.exitCode;
}

/**
 * The config's AWS proxy server (the one named aws first), so the login uses its profile and
 * environment. A config that does not load is no reason not to log in, unless it was named.
 */
function configuredAwsServer(configPath: string | undefined, env: NodeJS.ProcessEnv): ServerConfig | undefined {
  let servers: ServerConfig[];
  try {
    servers = loadConfig({ argvFlags: {}, env, cwd: process.cwd(), configPath }).config.servers;
  } catch (error) {
    if (configPath !== undefined) throw error;
    return undefined;
  }
  const proxies = servers.filter((server) => runsAwsProxy(server));
  return proxies.find((server) => server.name === 'aws') ?? proxies[0];
}

/** `--profile P` in the proxy's arguments: AWS_PROFILE may be unset while the proxy is given one. */
function profileArgOf(server: ServerConfig | undefined): string | undefined {
  const args = server?.args ?? [];
  const index = args.indexOf('--profile');
  return index === -1 ? undefined : args[index + 1];
}
