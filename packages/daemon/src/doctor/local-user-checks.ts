import { userInfo } from 'node:os';
import * as path from 'node:path';
import { API_KEY_ENV } from '../cli/api-key.js';
import type { DaemonConfig } from '../config/types.js';
import { isLoopbackHost } from '../service/endpoints.js';
import { LOCAL_API_KEY_FILE, ownerLookupWorks } from '../service/local-users.js';
import type { SocketOwnerOptions } from '../service/socket-owner.js';
import type { DoctorCheck } from './types.js';

/**
 * Who besides this user can use the servers (docs/security.md): on Linux only this user and
 * root, by the owner of each loopback connection; where that cannot be known, any local user,
 * unless an API key is required. Says which holds here, and the fix when it is the second.
 */
export async function localUserChecks(config: DaemonConfig, env: NodeJS.ProcessEnv, owner: SocketOwnerOptions = {}): Promise<DoctorCheck[]> {
  const name = 'local users';
  const keyFile = path.join(config.stateDir, LOCAL_API_KEY_FILE);
  const keyConfigured = config.security.apiKeyFile !== null || (env[API_KEY_ENV] ?? '') !== '';
  if (keyConfigured) {
    return [{ name, state: 'ok', detail: `every client, of any user, must send the API key (${config.security.apiKeyFile !== null ? 'security.apiKeyFile' : API_KEY_ENV})` }];
  }
  const checks: DoctorCheck[] = [];
  const works = await ownerLookupWorks(owner);
  if (works === true) {
    checks.push({
      name,
      state: 'ok',
      detail:
        `only ${whoMay()} may use the MCP listener from this machine (Linux says who opened each loopback connection); ` +
        `another user's client must send the key in ${keyFile} (made at the first start of up) as "Authorization: Bearer <key>"`,
    });
  } else {
    checks.push({
      name,
      state: 'warn',
      detail: `${works}: any local user can use your servers, with your credentials`,
      fix: `require an API key from every client: --api-key-file ${keyFile} (security.apiKeyFile; up makes that file at its first start); clients send "Authorization: Bearer $(cat ${keyFile})"`,
    });
  }
  if (!isLoopbackHost(config.listen.host)) {
    checks.push({
      name,
      state: 'warn',
      detail: `listen.host is ${config.listen.host}: clients on other machines can connect, and no user of this machine stands behind them`,
      fix: `require an API key: --api-key-file ${keyFile} (security.apiKeyFile), or listen on 127.0.0.1`,
    });
  }
  return checks;
}

/** "alice (uid 1000) and root", or "root" when the daemon runs as root. */
function whoMay(): string {
  const uid = process.getuid?.() ?? -1;
  if (uid === 0) return 'root';
  try {
    return `${userInfo().username} (uid ${uid}) and root`;
  } catch {
    return `uid ${uid} and root`;
  }
}
