import * as path from 'node:path';
import { awsServerConfig, awsServerWarnings, type NamedServer } from '../aws/index.js';
import { parseFlags, type CommandSpec } from '../cli/flags.js';
import { booleanFlag, stringFlag } from '../cli/values.js';
import { addServerToConfigFile } from '../config/add-server.js';
import { CONFIG_ENV_VAR, defaultConfigPath } from '../config/config-file.js';
import { expandHome, homeDirectory } from '../config/paths.js';
import { UsageError } from '../errors.js';
import { INIT_HELP } from './help.js';

/**
 * `mcp-workstation init aws [flags]`: adds the server the AWS MCP Server guide prescribes to
 * the config file (made when missing), keeping what is already there. See docs/aws.md.
 */

export const INIT_AWS_SPEC: CommandSpec = {
  command: 'init aws',
  flags: {
    help: { type: 'boolean', short: 'h' },
    region: { type: 'string' },
    endpointRegion: { type: 'string' },
    profile: { type: 'string' },
    version: { type: 'string' },
    readOnly: { type: 'boolean' },
    force: { type: 'boolean' },
    config: { type: 'string' },
  },
};

const SERVER_NAME = 'aws';

export async function initCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const [what, ...rest] = argv;
  if (what === undefined || what === '--help' || what === '-h' || what === 'help') {
    process.stdout.write(INIT_HELP);
    return;
  }
  if (what !== 'aws') throw new UsageError(`unknown init target '${what}': the only one is 'aws' (mcp-workstation init aws --help).`);
  const { values } = parseFlags(rest, INIT_AWS_SPEC);
  if (booleanFlag(values, 'help')) {
    process.stdout.write(INIT_HELP);
    return;
  }
  const force = booleanFlag(values, 'force');
  const entry = awsServerConfig({
    region: stringFlag(values, 'region'),
    endpointRegion: stringFlag(values, 'endpointRegion'),
    profile: stringFlag(values, 'profile'),
    version: stringFlag(values, 'version'),
    readOnly: booleanFlag(values, 'readOnly'),
    force,
  });
  const file = configFileFor(stringFlag(values, 'config'), env);
  const result = addServerToConfigFile({ file, name: SERVER_NAME, entry, replace: force });
  const verb = result.replaced ? 'replaced' : 'added';
  process.stdout.write(`${verb} server ${SERVER_NAME} in ${file}${result.created ? ' (new file)' : ''}: ${[entry.command, ...entry.args].join(' ')}\n`);
  for (const warning of awsServerWarnings(namedServers(result.servers))) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(`Next: sign in with \`aws login${entry.env.AWS_PROFILE ? ` --profile ${entry.env.AWS_PROFILE}` : ''}\` as the user the daemon runs as, then run mcp-workstation doctor.\n`);
}

/** The file's servers that have a command line, for the warnings (config check reports the others). */
function namedServers(servers: Array<{ name: string } & Record<string, unknown>>): NamedServer[] {
  return servers.flatMap((server) => {
    if (typeof server.command !== 'string') return [];
    const args = Array.isArray(server.args) ? server.args.map(String) : [];
    const env = server.env !== null && typeof server.env === 'object' ? (server.env as NamedServer['env']) : undefined;
    return [{ name: server.name, command: server.command, args, env }];
  });
}

/** The file `up` would read: --config, else MCP_WORKSTATION_CONFIG, else the XDG default. */
function configFileFor(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const named = flag ?? env[CONFIG_ENV_VAR];
  if (named !== undefined && named !== '') return path.resolve(expandHome(named, homeDirectory(env)));
  return defaultConfigPath(env, homeDirectory(env));
}
