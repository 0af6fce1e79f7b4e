// The `mcp-workstation-gateway` program (bin/mcp-workstation-gateway.js requires this file).
import { runCli } from './cli/run-cli.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`mcp-workstation-gateway: ${err.message}\n`);
    process.exitCode = 1;
  },
);
