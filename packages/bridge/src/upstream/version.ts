import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The bridge's version, sent as clientInfo.version in its own initialize. Read from the
 * package's package.json, which sits two levels up from both src/upstream and dist/upstream.
 */
function readVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const BRIDGE_VERSION = readVersion();
export const BRIDGE_CLIENT_NAME = 'mcp-workstation';
