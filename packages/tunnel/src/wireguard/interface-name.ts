/**
 * Why `name` cannot be a WireGuard interface name on `platform`, or null when it can.
 *
 * Linux allows up to 15 bytes without "/", ":" or whitespace; this is stricter (letters,
 * digits, "_", "-", ".", starting with a letter or digit) because the name also becomes a
 * socket file name and an argument of wireguard-go, where a leading "-" would read as an
 * option. macOS only has utun devices, and wireguard-go needs the number to be explicit so
 * that its socket name is known in advance.
 */
export function interfaceNameProblem(name: string, platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'darwin') {
    return /^utun\d{1,5}$/.test(name) ? null : `"${name}" is not a macOS tunnel interface name: use utun followed by a number, e.g. utun7`;
  }
  if (name.length === 0) return 'the interface name is empty: use e.g. mcpw0';
  if (name.length > 15) return `the interface name "${name}" is ${name.length} characters long; Linux allows at most 15`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
    return `the interface name "${name}" may only contain letters, digits, "_", "-" and ".", and must start with a letter or digit`;
  }
  return null;
}
