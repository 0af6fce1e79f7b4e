import * as path from 'node:path';

/** The admin API's unix socket: inside the 0700 state directory, itself 0600. */
export function adminSocketPath(stateDir: string): string {
  return path.join(stateDir, 'admin.sock');
}

/** sun_path holds 107 bytes on Linux (103 on macOS). */
export const MAX_SOCKET_PATH_BYTES = 103;
