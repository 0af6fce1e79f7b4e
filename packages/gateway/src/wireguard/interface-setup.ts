import { runCommand, type NamespaceOption } from '@mcp-workstation/wireguard';

/** Linux interface names are at most 15 bytes; keep to characters every tool accepts. */
export function checkInterfaceName(name: string): void {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name) || name === '.' || name === '..') {
    throw new Error(`--wg-interface "${name}" is not a usable interface name: use 1-15 of A-Z a-z 0-9 _ . -`);
  }
}

/** Runs `ip` with `-n <netns>` when one is named. */
function ip(args: string[], { netns }: NamespaceOption): Promise<unknown> {
  return runCommand('ip', netns ? ['-n', netns, ...args] : args);
}

export async function interfaceExists(name: string, ns: NamespaceOption): Promise<boolean> {
  try {
    await ip(['link', 'show', 'dev', name], ns);
    return true;
  } catch {
    return false;
  }
}

/**
 * Address (/32), MTU, up, and a route for the agents' pool with the gateway address as source,
 * so connections into the tunnel leave from the one address agents accept (their allowedIps).
 * `replace` rather than `add`: applying twice (after a wireguard-go restart) is not an error.
 */
export async function configureInterface(name: string, address: string, poolCidr: string, mtu: number, ns: NamespaceOption): Promise<void> {
  await ip(['address', 'replace', `${address}/32`, 'dev', name], ns);
  await ip(['link', 'set', 'dev', name, 'mtu', String(mtu), 'up'], ns);
  await ip(['route', 'replace', poolCidr, 'dev', name, 'src', address], ns);
}

/** Removes a leftover interface (wireguard-go normally removes its own on exit). */
export async function deleteInterface(name: string, ns: NamespaceOption): Promise<void> {
  if (await interfaceExists(name, ns)) await ip(['link', 'delete', 'dev', name], ns).catch(() => undefined);
}
