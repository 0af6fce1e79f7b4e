// The `mcp-workstation` executable (bin/mcp-workstation.js requires this file).
import { runCli } from './cli/main.js';
import { UserError } from './errors.js';

function reportAndExit(err: unknown): never {
  if (err instanceof UserError) {
    // Something the person can fix: one sentence, no stack.
    process.stderr.write(`mcp-workstation: error: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  // Anything else is a bug: keep the stack for the report.
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`mcp-workstation: internal error (please report it): ${detail}\n`);
  process.exit(1);
}

process.on('uncaughtException', reportAndExit);
process.on('unhandledRejection', reportAndExit);
runCli(process.argv.slice(2)).catch(reportAndExit);
