import { BRIDGE_HELP, MAIN_HELP, REGISTER_HELP, UP_HELP } from '../commands/help.js';
import { UsageError } from '../errors.js';
import { packageVersion } from '../version.js';

/** Subcommand dispatch. Each command resolves once it is serving (or printed what was asked). */

type Command = (argv: string[]) => Promise<void>;

// Commands load on use: --help and --version stay instant and never load the bridge or the SDK.
const COMMANDS: Record<string, { run: Command; help: string }> = {
  up: {
    run: (argv) => (require('../commands/up.js') as typeof import('../commands/up.js')).upCommand(argv),
    help: UP_HELP,
  },
  register: {
    run: (argv) => (require('../commands/register.js') as typeof import('../commands/register.js')).registerCommand(argv),
    help: REGISTER_HELP,
  },
  bridge: {
    run: (argv) => (require('../commands/bridge.js') as typeof import('../commands/bridge.js')).bridgeCommand(argv),
    help: BRIDGE_HELP,
  },
};

export async function runCli(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') return print(MAIN_HELP);
  if (first === '--version' || first === '-v') return print(`${packageVersion()}\n`);
  if (first === 'help') return print(rest[0] !== undefined && COMMANDS[rest[0]] ? COMMANDS[rest[0]].help : MAIN_HELP);
  const command = COMMANDS[first];
  if (command) return command.run(rest);
  throw unknownCommand(first, argv);
}

function print(text: string): void {
  process.stdout.write(text);
}

function unknownCommand(first: string, argv: string[]): UsageError {
  // supergateway is run with flags only; point its users at the command that takes them.
  if (argv.includes('--stdio')) {
    return new UsageError(`a command comes first: mcp-workstation bridge ${argv.join(' ')}`);
  }
  if (first.startsWith('-')) {
    return new UsageError(`unknown flag ${first}: flags come after a command (up, register, bridge). Run 'mcp-workstation --help'.`);
  }
  return new UsageError(`unknown command '${first}'. Commands: ${Object.keys(COMMANDS).join(', ')}. Run 'mcp-workstation --help'.`);
}
