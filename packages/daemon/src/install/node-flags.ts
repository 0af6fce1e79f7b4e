/**
 * Node flags the daemon runs with, wherever it is started: the bin's shebang (`npx`, `npm
 * start`, Docker's `mcp-workstation`) and the service units (whose ExecStart names node).
 *
 * `--max-semi-space-size=1`: V8 grows the young generation up to 16 MB per semi-space under
 * allocation, and keeps it; a daemon holding many idle sessions then carries tens of MB of
 * young-generation pages it rarely needs. With 1 MB, 1,000 idle sessions add about 26 MB
 * instead of about 48 MB, with latency and throughput unchanged within the noise
 * (`npm run bench -- --only native,mcpw-shared --mcpw-node-flags …`, docs/performance.md).
 * The children do not get it: it is not in NODE_OPTIONS.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];
