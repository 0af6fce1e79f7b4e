// Lets a plain `node` process require the supervisor's TypeScript sources (as Jest does
// through @swc/jest), so a test can run a real "daemon" process that exits on its own.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const swc = require('@swc/core');

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveTypeScript(request, parent, ...rest) {
  if (request.startsWith('.') && request.endsWith('.js') && parent?.filename?.endsWith('.ts')) {
    const candidate = require('node:path').resolve(require('node:path').dirname(parent.filename), request.replace(/\.js$/, '.ts'));
    if (fs.existsSync(candidate)) return candidate;
  }
  return resolveFilename.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformFileSync(filename, {
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
