import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ServerCommand } from '@mcp-workstation/supervisor';

/**
 * What `mcp-workstation up` serves when given no command: the MCP reference server
 * @modelcontextprotocol/server-everything (a dependency of this package) over stdio, so a
 * fresh clone has something to point an MCP client at with no configuration.
 */

export const EMBEDDED_PACKAGE = '@modelcontextprotocol/server-everything';
export const EMBEDDED_NAME = 'default';

export function embeddedDefaultCommand(): ServerCommand {
  // The package is ESM without an "exports" map: find its package.json, then the file its bin runs.
  const packageJsonPath = require.resolve(`${EMBEDDED_PACKAGE}/package.json`);
  const { bin } = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { bin: string | Record<string, string> };
  const entry = typeof bin === 'string' ? bin : Object.values(bin)[0];
  return { command: process.execPath, args: [join(dirname(packageJsonPath), entry), 'stdio'] };
}
