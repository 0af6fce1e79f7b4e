// A "daemon" that starts a supervised server which ignores the end of its stdin, has a
// grandchild in its group and one that left it (setsid), prints every pid as one JSON line,
// then waits to be killed: the test SIGKILLs it, so no handler of it runs, and the
// watchdog must stop what it left.
'use strict';
require('./load-typescript');
const path = require('node:path');
const { SupervisedServer } = require('../src/index.ts');
const { watchdogPid } = require('../src/watchdog.ts');

const server = new SupervisedServer({
  name: 'orphan-maker',
  command: { command: process.execPath, args: [path.join(__dirname, 'fixture-server.js'), '--ignore-eof'] },
  stopGraceMs: 1_000,
  logger: { error() {}, warn() {}, info() {}, debug() {} },
});
const answers = new Map();
server.on('message', (message) => answers.get(message.id)?.(message.result));
const request = (id, method, params) =>
  new Promise((resolve) => {
    answers.set(id, resolve);
    server.send({ jsonrpc: '2.0', id, method, params });
  });

server.start().then(async () => {
  const grandchild = await request(1, 'spawnGrandchild', {});
  const stray = await request(2, 'spawnGrandchild', { escape: 'setsid' });
  const pids = { child: server.status().pid, grandchild: grandchild.pid, stray: stray.pid, watchdog: watchdogPid() };
  process.stdout.write(`${JSON.stringify(pids)}\n`);
  setInterval(() => {}, 1000);
});
