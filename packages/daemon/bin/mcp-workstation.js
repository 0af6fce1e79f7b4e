#!/usr/bin/env -S node --max-semi-space-size=1
// The node flags above are DAEMON_NODE_FLAGS (src/install/node-flags.ts; a test keeps them
// equal): a 1 MB young generation keeps an idle daemon small, see docs/performance.md.
// A committed shim so npm can link the bin before the first build; the CLI itself is compiled TypeScript.
'use strict';
try {
  require('../dist/cli.js');
} catch (err) {
  // Only when dist/cli.js itself is missing: a module missing deeper down is a different problem.
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).startsWith("Cannot find module '../dist/cli.js'")) {
    process.stderr.write('mcp-workstation is not built yet: run `npm run build` in the repository root first.\n');
    process.exit(1);
  }
  throw err;
}
