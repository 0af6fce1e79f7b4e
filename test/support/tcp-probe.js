'use strict';
// One TCP exchange, run inside a network namespace (`ip netns exec <ns> node tcp-probe.js
// '<json>'`): connects to host:port (from localAddress when given), sends `message`, and
// prints one JSON line saying what happened:
//   {"outcome":"reply","reply":"…"}   the other side answered
//   {"outcome":"closed","bytes":0}    the other side closed (or reset) without answering
//   {"outcome":"error","code":"…"}    no connection (refused, unreachable, …)
//   {"outcome":"timeout"}             nothing within timeoutMs
const net = require('node:net');

const { host, port, localAddress, message = 'ping', timeoutMs = 5000 } = JSON.parse(process.argv[2]);
let received = '';
let done = false;
let connected = false;

function finish(result) {
  if (done) return;
  done = true;
  process.stdout.write(`${JSON.stringify(result)}\n`);
  socket.destroy();
}

const socket = net.connect({ host, port, localAddress });
socket.setTimeout(timeoutMs, () => finish({ outcome: 'timeout' }));
socket.on('connect', () => {
  connected = true;
  socket.write(message);
});
socket.on('data', (data) => {
  received += data;
  if (received.length >= `echo:${message}`.length) finish({ outcome: 'reply', reply: received });
});
// After a connect, a reset is the other side closing too: when it closes with our message
// unread (or still arriving), the kernel answers with RST instead of FIN.
socket.on('error', (error) => {
  if (received) finish({ outcome: 'reply', reply: received });
  else if (connected && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) finish({ outcome: 'closed', bytes: 0 });
  else finish({ outcome: 'error', code: error.code ?? error.message });
});
socket.on('close', () => finish(received ? { outcome: 'reply', reply: received } : { outcome: 'closed', bytes: 0 }));
