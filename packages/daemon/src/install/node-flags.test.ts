import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DAEMON_NODE_FLAGS } from './node-flags';

// The bin's shebang and the service units must start node the same way.
test("the bin's shebang gives node exactly DAEMON_NODE_FLAGS", () => {
  const bin = readFileSync(path.join(__dirname, '..', '..', 'bin', 'mcp-workstation.js'), 'utf8');
  const shebang = bin.split('\n')[0];
  expect(shebang).toBe(`#!/usr/bin/env -S node ${DAEMON_NODE_FLAGS.join(' ')}`);
});
