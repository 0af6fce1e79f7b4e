/**
 * The admin listener's address: `HOST:PORT` (TCP, `[v6]:PORT` for IPv6) or the path of a unix
 * socket. A value with a '/' (or starting with '~' or '.') is a path; anything else must be
 * HOST:PORT, so a typo is an error instead of a socket file created somewhere surprising.
 */

export type AdminAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'socket'; path: string };

/** The admin socket's permissions: only the user running the daemon may connect. */
export const ADMIN_SOCKET_MODE = 0o600;

/** sun_path holds 104 bytes on macOS (108 on Linux), the terminating NUL included. */
export const MAX_SOCKET_PATH_BYTES = 103;

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export function isSocketPath(text: string): boolean {
  return text.includes('/') || text.startsWith('~') || text.startsWith('.');
}

/** Why `text` is not an admin address, or null when it is one. */
export function adminAddressProblem(text: string): string | null {
  if (isSocketPath(text)) {
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_SOCKET_PATH_BYTES) {
      return `is a socket path of ${bytes} bytes; the operating system allows at most ${MAX_SOCKET_PATH_BYTES}: choose a shorter path`;
    }
    return text.includes('\0') ? 'must not contain a NUL character' : null;
  }
  const match = HOST_PORT.exec(text);
  if (match && Number(match[2]) <= 65535) return null;
  const hint = /^\d+$/.test(text) ? ` (for a port alone write 127.0.0.1:${text})` : '';
  return `must be HOST:PORT such as 127.0.0.1:8001, or a unix socket path such as /run/user/1000/mcp-workstation.sock${hint}`;
}

/** The parsed form of an address that passed adminAddressProblem(). */
export function parseAdminAddress(text: string): AdminAddress {
  const problem = adminAddressProblem(text);
  if (problem !== null) throw new Error(`admin address '${text}' ${problem}`);
  if (isSocketPath(text)) return { kind: 'socket', path: text };
  const match = HOST_PORT.exec(text) as RegExpExecArray;
  return { kind: 'tcp', host: match[1].replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
}
