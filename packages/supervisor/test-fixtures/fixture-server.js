#!/usr/bin/env node
// A small stdio JSON-RPC server for the supervisor's tests. It answers requests on stdin,
// one JSON message per line, and can misbehave on request (crash, write junk, leave a
// grandchild behind).
//   --stderr=<line>      write this line to stderr at start (repeatable)
//   --exit-at-start=<n>  exit with code n right after the stderr lines
//   --ignore-sigterm     survive SIGTERM (the supervisor must escalate to SIGKILL)
//   --ignore-eof         keep running when stdin ends (its daemon is gone, it does not care)
//   --escape-on-sigterm  on SIGTERM, start a `sleep` in a session of its own, say
//                        "escaped <pid>" on stderr, and exit
'use strict';
const { spawn } = require('node:child_process');
const readline = require('node:readline');

const flags = process.argv.slice(2);
const flag = (name) => flags.filter((arg) => arg.startsWith(`--${name}=`)).map((arg) => arg.slice(name.length + 3));

for (const line of flag('stderr')) process.stderr.write(`${line}\n`);
const exitAtStart = flag('exit-at-start')[0];
if (exitAtStart !== undefined) process.exit(Number(exitAtStart));
if (flags.includes('--ignore-eof')) setInterval(() => {}, 1000);
if (flags.includes('--escape-on-sigterm')) {
  process.on('SIGTERM', () => {
    const helper = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    process.stderr.write(`escaped ${helper.pid}\n`, () => process.exit(0));
  });
}
if (flags.includes('--ignore-sigterm')) process.on('SIGTERM', () => process.stderr.write('ignoring SIGTERM\n'));

const reply = (id, result) => process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`);

const handlers = {
  echo: (params) => params,
  env: (params) => ({ values: Object.fromEntries(params.names.map((name) => [name, process.env[name] ?? null])) }),
  argv: () => ({ argv: process.argv.slice(2), argv0: process.argv0, cwd: process.cwd() }),
  // Writes raw text to stdout (no newline added), then answers.
  raw: (params) => {
    process.stdout.write(params.text);
    return {};
  },
  // Writes a line of `bytes` x's (too big on purpose), then answers.
  big: (params) => {
    process.stdout.write(`${'x'.repeat(params.bytes)}\n`);
    return {};
  },
  // Closes its end of stdin but stays alive: writes to it now fail with EPIPE.
  closeStdin: () => {
    setImmediate(() => {
      process.stdin.destroy();
      require('node:fs').closeSync(0); // libuv never closes fds 0-2 itself
    });
    setInterval(() => {}, 1000);
    return {};
  },
  // Closes its stdout but stays alive (still reading stdin): nothing it writes arrives any more.
  closeStdout: () => {
    setImmediate(() => {
      process.stdout.destroy();
      require('node:fs').closeSync(1); // libuv never closes fds 0-2 itself
    });
    setInterval(() => {}, 1000);
    return {};
  },
  // Answers, then stops reading stdin (alive, but deaf): what is sent to it piles up.
  stopReading: () => {
    setImmediate(() => {
      lines.pause();
      process.stdin.pause();
    });
    setInterval(() => {}, 1000);
    return {};
  },
  stderr: (params) => {
    for (const line of params.lines) process.stderr.write(`${line}\n`);
    return {};
  },
  exit: (params) => {
    if (params.notify) process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', method: params.notify })}\n`);
    for (const line of params.stderr ?? []) process.stderr.write(`${line}\n`);
    process.stderr.write('', () => process.exit(params.code));
    return undefined; // no answer: it is gone
  },
};

// params.escape: 'setsid' starts it in a session of its own (out of this child's group);
// 'orphan' too, through an intermediate process that exits at once (no PPid link back).
async function spawnGrandchild(params) {
  const script = [
    params.ignoreSigterm ? "process.on('SIGTERM', () => {});" : '',
    'setInterval(() => {}, 1000);',
    "process.stdout.write('ready\\n');",
  ].join('');
  if (params.escape === 'orphan') {
    const middle = [
      "const { spawn } = require('node:child_process');",
      `const c = spawn(process.execPath, ['-e', ${JSON.stringify(script)}], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });`,
      "c.stdout.once('data', () => { process.stdout.write(String(c.pid)); process.exit(0); });",
    ].join('');
    const child = spawn(process.execPath, ['-e', middle], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    await new Promise((resolve) => child.once('exit', resolve));
    return { pid: Number(out) };
  }
  // stderr inherited: like uvx's Python, the grandchild holds the supervisor's pipe open.
  const child = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: params.escape === 'setsid',
  });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  return { pid: child.pid };
}

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  const message = JSON.parse(line);
  if (message.method === 'spawnGrandchild') return reply(message.id, await spawnGrandchild(message.params ?? {}));
  const handler = handlers[message.method];
  if (!handler) {
    process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'no such method' } })}\n`);
    return;
  }
  const result = handler(message.params ?? {});
  if (result !== undefined && message.id !== undefined) reply(message.id, result);
});
