'use strict';
// Drives one WireGuard backend of packages/tunnel inside the network namespace it was started
// in (`ip netns exec <ns> node test/support/wg-driver.js`), because a backend configures the
// namespace of its own process and the jest process stays in the host's namespace.
// It loads the BUILT package (packages/tunnel/dist: run `npx tsc -b` first).
//
// Protocol: one JSON command per stdin line, {"id": 1, "op": "up", ...}; on stdout one JSON
// line per answer, {"id": 1, "ok": true, "result": …} or {"id": 1, "ok": false, "error": "…"},
// and events: {"event": "status" | "connection" | "refused" | "log", …}.
// The tunnel listener echoes what it receives as "echo:<data>".
// Stdin closing or SIGTERM takes the backend down before exiting.

const path = require('node:path');
const readline = require('node:readline');

const dist = path.resolve(__dirname, '../../packages/tunnel/dist/wireguard');
const { createWireGuardBackend } = require(path.join(dist, 'select-backend.js'));

let backend = null;

function emit(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const logger = {
  error: (message, meta) => emit({ event: 'log', level: 'error', message, meta }),
  warn: (message, meta) => emit({ event: 'log', level: 'warn', message, meta }),
  info: (message, meta) => emit({ event: 'log', level: 'info', message, meta }),
  debug: () => undefined,
};

function echo(socket, remoteAddress) {
  emit({ event: 'connection', remoteAddress });
  socket.on('data', (data) => socket.write(`echo:${data}`));
  socket.on('error', () => undefined);
}

function requireBackend() {
  if (!backend) throw new Error('send {"op":"create"} first');
  return backend;
}

const operations = {
  async create({ backend: choice }) {
    backend = await createWireGuardBackend(choice, { logger });
    backend.onStatus((status) => emit({ event: 'status', status }));
    return { kind: backend.kind };
  },
  async up({ config }) {
    await requireBackend().up(config);
    return backend.status();
  },
  async apply({ config }) {
    await requireBackend().apply(config);
    return backend.status();
  },
  async statistics() {
    const statistics = await requireBackend().statistics();
    return { ...statistics, lastHandshakeAt: statistics.lastHandshakeAt && statistics.lastHandshakeAt.toISOString() };
  },
  async status() {
    return requireBackend().status();
  },
  async listen({ port, allowedSources }) {
    const listener = await requireBackend().listen({
      port,
      allowedSources,
      onConnection: echo,
      onRefused: (remoteAddress) => emit({ event: 'refused', remoteAddress }),
    });
    return { address: listener.address, port: listener.port };
  },
  async down() {
    await requireBackend().down();
    return backend.status();
  },
};

async function handle(line) {
  let command;
  try {
    command = JSON.parse(line);
  } catch {
    emit({ event: 'log', level: 'error', message: `not JSON: ${line}` });
    return;
  }
  const operation = operations[command.op];
  try {
    if (!operation) throw new Error(`unknown op ${command.op}`);
    emit({ id: command.id, ok: true, result: await operation(command) });
  } catch (error) {
    emit({ id: command.id, ok: false, error: error.message, name: error.name, problems: error.problems });
  }
}

let shuttingDown = false;
async function shutDown() {
  if (shuttingDown) return;
  shuttingDown = true;
  try {
    await backend?.down();
  } finally {
    process.exit(0);
  }
}

// One command at a time, in order, like the backend's own callers.
let queue = Promise.resolve();
readline
  .createInterface({ input: process.stdin, crlfDelay: Infinity })
  .on('line', (line) => {
    queue = queue.then(() => handle(line));
  })
  .on('close', () => {
    queue = queue.then(() => shutDown());
  });
process.on('SIGTERM', () => void shutDown());
emit({ event: 'ready', pid: process.pid });
