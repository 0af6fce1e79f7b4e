#!/usr/bin/env node
// A committed shim so npm can link the bin before the first build; the CLI itself is compiled TypeScript.
'use strict';
try {
  require('../dist/cli.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.js')) {
    process.stderr.write('mcp-workstation-gateway is not built yet: run `npm run build` in the repository root first.\n');
    process.exit(1);
  }
  throw err;
}
