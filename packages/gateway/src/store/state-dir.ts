import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Where the gateway keeps its state when --state-dir is not given: /var/lib for root (a
 * system service), the XDG state directory for anyone else.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MCP_WORKSTATION_GATEWAY_STATE_DIR) return env.MCP_WORKSTATION_GATEWAY_STATE_DIR;
  if (process.getuid?.() === 0) return '/var/lib/mcp-workstation-gateway';
  const base = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'mcp-workstation-gateway');
}
