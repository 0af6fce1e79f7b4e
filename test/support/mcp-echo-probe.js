'use strict';
// One MCP exchange from inside a network namespace (`ip netns exec <ns> node
// mcp-echo-probe.js '<json>'`): the SDK's Streamable HTTP client connects to `url`, calls the
// `echo` tool with `message`, and prints one JSON line:
//   {"ok":true,"text":"Echo: …","server":"<serverInfo.name>"}
//   {"ok":false,"error":"…"}
// For servers only reachable inside the namespace, such as the daemon's loopback listener.
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');

const { url, message = 'ping', headers = {}, timeoutMs = 10000 } = JSON.parse(process.argv[2]);

async function main() {
  const client = new Client({ name: 'netns-echo-probe', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  try {
    await client.connect(transport, { timeout: timeoutMs });
    const result = await client.callTool({ name: 'echo', arguments: { message } }, undefined, { timeout: timeoutMs });
    const text = (result.content || []).filter((block) => block.type === 'text').map((block) => block.text).join('\n');
    return { ok: true, text, server: client.getServerVersion() && client.getServerVersion().name };
  } finally {
    await client.close().catch(() => undefined);
  }
}

main().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error) => process.stdout.write(`${JSON.stringify({ ok: false, error: String((error && error.message) || error) })}\n`),
);
