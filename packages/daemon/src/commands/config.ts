import { parseFlags, type CommandSpec } from '../cli/flags.js';
import { booleanFlag, stringFlag } from '../cli/values.js';
import { checkConfig } from '../config/check-config.js';
import { ConfigError } from '../config/config-error.js';
import { describeConfig } from '../config/describe-config.js';
import { configFlagSpecs } from '../config/environment-and-flags.js';
import { loadConfig } from '../config/load-config.js';
import type { LoadConfigOptions, LoadedConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import { EMBEDDED_NAME, EMBEDDED_PACKAGE, embeddedDefaultCommand } from '../service/embedded-default.js';
import { readServerEnvFile } from '../service/server-env-file.js';
import { CONFIG_HELP } from './help.js';
import { rejectStrayWords, splitAtDoubleDash } from './up-args.js';

/**
 * `mcp-workstation config check|print [flags] [-- <command> [args…]]`: the configuration `up`
 * would run with the same flags, checked (exit 0, or 78 with every problem) or printed with
 * the source of every value (secrets shown as <redacted>). Nothing is started.
 */

export const CONFIG_SPEC: CommandSpec = {
  command: 'config',
  flags: {
    help: { type: 'boolean', short: 'h' },
    ...configFlagSpecs(),
    name: { type: 'string' },
    sessionMode: { type: 'string' },
    envFile: { type: 'string' },
  },
  allowPositionals: true,
};

export async function configCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h' || action === 'help') {
    process.stdout.write(CONFIG_HELP);
    return;
  }
  if (action !== 'check' && action !== 'print') {
    throw new UsageError(`unknown config action '${action}': use mcp-workstation config check or mcp-workstation config print.`);
  }
  const { flagArgs, serverArgv } = splitAtDoubleDash(rest);
  const { values, positionals } = parseFlags(flagArgs, { ...CONFIG_SPEC, command: `config ${action}` });
  if (booleanFlag(values, 'help')) {
    process.stdout.write(CONFIG_HELP);
    return;
  }
  rejectStrayWords(positionals);
  const options: LoadConfigOptions = {
    argvFlags: values,
    env,
    cwd: process.cwd(),
    configPath: stringFlag(values, 'config'),
    serverCommand: serverArgv,
    fallbackServer: { name: EMBEDDED_NAME, ...embeddedDefaultCommand(), description: `embedded ${EMBEDDED_PACKAGE}` },
  };
  const envFile = stringFlag(values, 'envFile');
  if (action === 'check') return check(options, envFile);
  print(loadConfig(options));
}

function check(options: LoadConfigOptions, envFile: string | undefined): void {
  const result = checkConfig(options);
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  // The env file's own problem (permissions, syntax) is one more reason the daemon would not start.
  if (envFile !== undefined) readServerEnvFile(envFile);
  if (!result.ok || result.loaded === null) throw new ConfigError(result.problems);
  process.stdout.write(`${summary(result.loaded)}\n`);
}

function summary(loaded: LoadedConfig): string {
  const from = loaded.file ? loaded.file.path : 'no config file (defaults, environment and flags)';
  const servers = loaded.config.servers.map((server) => server.name).join(', ') || '(none)';
  return `configuration OK: ${from}; servers: ${servers}`;
}

function print(loaded: LoadedConfig): void {
  const header = loaded.file ? `# ${loaded.file.path} (${loaded.file.format})` : '# no config file: defaults, environment and flags';
  process.stdout.write(`${[header, ...describeConfig(loaded)].join('\n')}\n`);
  for (const warning of loaded.warnings) process.stderr.write(`warning: ${warning}\n`);
}
