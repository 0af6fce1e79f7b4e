import { agentsCommand, AGENTS_HELP } from '../commands/agents.js';
import { serveCommand, SERVE_HELP } from '../commands/serve.js';
import { tokenCommand, TOKEN_HELP } from '../commands/token.js';
import { GATEWAY_VERSION } from '../version.js';
import { PROGRAM, processIo, type CliIo } from './io.js';
import { UsageError } from './usage-error.js';

export const MAIN_HELP = `Usage: ${PROGRAM} <command> [options]

The reference gateway of mcp-workstation: agents register with a single-use token, keep a
control WebSocket open and carry MCP traffic over WireGuard; MCP clients reach each agent's
servers at {gateway URL}/agents/<agentId>/servers/<name>/mcp with a gateway API key.

Commands:
  serve                 run the gateway
  token create          print a single-use registration token
  agents list           the registered agents and whether they are connected
  agents revoke <id>    revoke an agent
  agents rotate <id>    ask an agent for a new WireGuard key

Run \`${PROGRAM} <command> --help\` for a command's options and examples.
Step by step: docs/gateway.md.
`;

const COMMANDS: Record<string, { run: (args: string[], io: CliIo) => Promise<number>; help: string }> = {
  serve: { run: serveCommand, help: SERVE_HELP },
  token: { run: tokenCommand, help: TOKEN_HELP },
  agents: { run: agentsCommand, help: AGENTS_HELP },
};

/** Runs one command line; resolves with the exit code (2: the command line is wrong, 1: it failed). */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && rest[0] ? COMMANDS[rest[0]] : undefined;
    io.stdout.write(topic?.help ?? MAIN_HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') return io.stdout.write(`${GATEWAY_VERSION}\n`), 0;
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command "${name}" (see: ${PROGRAM} --help)`);
    return await command.run(rest, io);
  } catch (err) {
    io.stderr.write(`${PROGRAM}: ${(err as Error).message}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}
