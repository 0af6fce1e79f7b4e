import { parseArgs } from 'node:util';
import { adminErrorMessage, adminRequest } from '../admin/admin-client.js';
import { adminSocketPath } from '../admin/admin-socket.js';
import type { AgentListing } from '../admin/operations.js';
import { PROGRAM, type CliIo } from '../cli/io.js';
import { HELP_OPTION, withUsageErrors } from '../cli/parse.js';
import { UsageError } from '../cli/usage-error.js';
import { defaultStateDir } from '../store/state-dir.js';

export const AGENTS_HELP = `Usage: ${PROGRAM} agents <list|revoke|rotate> [options]

Talks to the running gateway (serve) through its admin socket in the state directory.

  agents list [--json]              every registered agent: id, name, tunnel address, whether its
                                    control connection is up, its last WireGuard handshake, its key
  agents revoke <id> [--reason R]   forgets the agent: a connected one gets \`revoke\` and close 4403;
                                    its secret stops working, its peer and address are freed
  agents rotate <id>                asks a connected agent for a new WireGuard key pair

Options:
  --state-dir DIR    the gateway's state directory (default ${defaultStateDir()})
  -h, --help         this help

Examples:
  ${PROGRAM} agents list
  ${PROGRAM} agents revoke agt_0123456789abcdef0123 --reason "laptop stolen"
  ${PROGRAM} agents rotate agt_0123456789abcdef0123
`;

const OPTIONS = { 'state-dir': { type: 'string' }, json: { type: 'boolean' }, reason: { type: 'string' } } as const;

export async function agentsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors('agents', () =>
    parseArgs({ args, options: { ...OPTIONS, ...HELP_OPTION }, allowPositionals: true, strict: true }),
  );
  if (values.help || positionals.length === 0) return io.stdout.write(AGENTS_HELP), values.help ? 0 : 2;
  const socket = adminSocketPath(values['state-dir'] ?? defaultStateDir(io.env));
  const [action, id, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected "${extra[0]}" (see: ${PROGRAM} agents --help)`);
  switch (action) {
    case 'list':
      if (id !== undefined) throw new UsageError(`agents list takes no id (see: ${PROGRAM} agents --help)`);
      return list(socket, values.json ?? false, io);
    case 'revoke':
    case 'rotate': {
      if (id === undefined) throw new UsageError(`agents ${action} needs an agent id, e.g. agents ${action} agt_… (ids: ${PROGRAM} agents list)`);
      const body = action === 'revoke' && values.reason !== undefined ? { reason: values.reason } : undefined;
      return act(socket, action, id, body, io);
    }
    default:
      throw new UsageError(`unknown agents command "${action}": use list, revoke or rotate (see: ${PROGRAM} agents --help)`);
  }
}

async function list(socket: string, json: boolean, io: CliIo): Promise<number> {
  const answer = await adminRequest(socket, 'GET', '/v1/agents');
  if (answer.status !== 200) return fail(io, adminErrorMessage(answer.status, answer.body));
  const agents = (answer.body as { agents: AgentListing[] }).agents;
  io.stdout.write(json ? `${JSON.stringify(agents, null, 2)}\n` : formatTable(agents));
  return 0;
}

async function act(socket: string, action: 'revoke' | 'rotate', id: string, body: unknown, io: CliIo): Promise<number> {
  const answer = await adminRequest(socket, 'POST', `/v1/agents/${encodeURIComponent(id)}/${action}`, body);
  if (answer.status !== 200) return fail(io, adminErrorMessage(answer.status, answer.body));
  if (action === 'rotate') io.stdout.write(`asked agent ${id} to rotate its WireGuard key\n`);
  else {
    const notified = (answer.body as { notified?: boolean }).notified;
    io.stdout.write(`revoked agent ${id}${notified ? ' (it was connected and has been told)' : ' (it was not connected; it is refused when it next connects)'}\n`);
  }
  return 0;
}

function fail(io: CliIo, message: string): number {
  io.stderr.write(`${PROGRAM}: ${message}\n`);
  return 1;
}

export function formatTable(agents: AgentListing[]): string {
  if (agents.length === 0) return 'no agents registered\n';
  const rows = [
    ['ID', 'NAME', 'ADDRESS', 'CONNECTED', 'LAST HANDSHAKE', 'PUBLIC KEY'],
    ...agents.map((a) => [a.id, a.name ?? '-', a.address, a.connected ? 'yes' : 'no', a.lastHandshakeAt ?? 'never', a.publicKey]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n') + '\n';
}
