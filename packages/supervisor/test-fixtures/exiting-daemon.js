// A "daemon" that starts a supervised server (which starts a grandchild), prints both pids
// as one JSON line, then exits WITHOUT calling stop(): the supervisor's process 'exit'
// handler must take the whole group down.
'use strict';
require('./load-typescript');
const path = require('node:path');
const { SupervisedServer } = require('../src/index.ts');

const server = new SupervisedServer({
  name: 'left-behind',
  command: { command: process.execPath, args: [path.join(__dirname, 'fixture-server.js')] },
  logger: { error() {}, warn() {}, info() {}, debug() {} },
});
server.on('message', (message) => {
  if (message.id !== 1) return;
  process.stdout.write(`${JSON.stringify({ child: server.status().pid, grandchild: message.result.pid })}\n`);
  process.exit(0);
});
server.start().then(() => server.send({ jsonrpc: '2.0', id: 1, method: 'spawnGrandchild', params: {} }));
