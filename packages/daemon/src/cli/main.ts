import { BRIDGE_HELP, CONFIG_HELP, DOCTOR_HELP, INIT_HELP, LOGIN_HELP, LOGS_HELP, MAIN_HELP, REGISTER_HELP, SERVICE_HELP, STATUS_HELP, UP_HELP } from '../commands/help.js';
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
  status: {
    run: (argv) => (require('../commands/status.js') as typeof import('../commands/status.js')).statusCommand(argv),
    help: STATUS_HELP,
  },
  config: {
    run: (argv) => (require('../commands/config.js') as typeof import('../commands/config.js')).configCommand(argv),
    help: CONFIG_HELP,
  },
  doctor: {
    run: (argv) => (require('../commands/doctor.js') as typeof import('../commands/doctor.js')).doctorCommand(argv),
    help: DOCTOR_HELP,
  },
  service: {
    run: (argv) => (require('../commands/service.js') as typeof import('../commands/service.js')).serviceCommand(argv),
    help: SERVICE_HELP,
  },
  logs: {
    run: (argv) => (require('../commands/service.js') as typeof import('../commands/service.js')).logsCommand(argv),
    help: LOGS_HELP,
  },
  bridge: {
    run: (argv) => (require('../commands/bridge.js') as typeof import('../commands/bridge.js')).bridgeCommand(argv),
    help: BRIDGE_HELP,
  },
  init: {
    run: (argv) => (require('../commands/init.js') as typeof import('../commands/init.js')).initCommand(argv),
    help: INIT_HELP,
  },
  login: {
    run: (argv) => (require('../commands/login.js') as typeof import('../commands/login.js')).loginCommand(argv),
    help: LOGIN_HELP,
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
    return new UsageError(`unknown flag ${first}: flags come after a command (${Object.keys(COMMANDS).join(', ')}). Run 'mcp-workstation --help'.`);
  }
  return new UsageError(`unknown command '${first}'. Commands: ${Object.keys(COMMANDS).join(', ')}. Run 'mcp-workstation --help'.`);
}
