import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { serviceLayout } from './layout.js';
import type { ServicePlatform, ServiceScope } from './types.js';

/**
 * The PATH an installed service runs with, read back from its service file: what `doctor`
 * must check `uvx` against once the service exists (the shell's PATH may have changed since
 * `service install` recorded it). The user service is looked for first, then the system one.
 */

export interface InstalledServicePath {
  /** The service file it was read from. */
  file: string;
  value: string;
}

export function installedServicePath(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): InstalledServicePath | null {
  if (platform !== 'linux' && platform !== 'darwin') return null;
  const me = userInfo();
  const user = { name: me.username, uid: me.uid, gid: me.gid, group: '', home: env.HOME ?? me.homedir };
  for (const scope of ['user', 'system'] as ServiceScope[]) {
    const layout = serviceLayout({ platform: platform as ServicePlatform, scope, user, env });
    const text = readIfPresent(layout.serviceFile);
    if (text === null) continue;
    const value = layout.manager === 'systemd' ? systemdPath(text) : plistPath(text);
    if (value !== null) return { file: layout.serviceFile, value };
  }
  return null;
}

function readIfPresent(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** `Environment="PATH=…"` as install writes it (systemd-syntax.ts), or unquoted as a person might. */
export function systemdPath(unit: string): string | null {
  for (const line of unit.split('\n')) {
    const quoted = /^\s*Environment="PATH=((?:[^"\\]|\\.)*)"\s*$/.exec(line);
    if (quoted) return quoted[1].replace(/\\(.)/g, '$1').replace(/%%/g, '%');
    const bare = /^\s*Environment=PATH=(\S*)\s*$/.exec(line);
    if (bare) return bare[1].replace(/%%/g, '%');
  }
  return null;
}

/** EnvironmentVariables' PATH `<string>` of a property list (plist-syntax.ts escapes it as XML text). */
export function plistPath(plist: string): string | null {
  const match = /<key>PATH<\/key>\s*<string>([^<]*)<\/string>/.exec(plist);
  if (!match) return null;
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return match[1].replace(/&(amp|lt|gt|quot|apos);/g, (_all, name: string) => entities[name]);
}
