import { configProblem } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import { SERVER_NAME, SERVER_NAME_RULE } from './server-schema.js';
import { whereToFix } from './sources.js';
import type { ConfigSource } from './types.js';

/** Server names: the rule, a usable name close to a bad one, and uniqueness in a list. */

export function isServerName(name: string): boolean {
  return SERVER_NAME.test(name);
}

/** "My_Server" -> "my-server": what to offer instead of a name that breaks the rule. */
export function usableServerName(name: string): string | undefined {
  const candidate = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return isServerName(candidate) ? candidate : undefined;
}

export function checkServerName(name: string, key: string, source: ConfigSource, problems: ConfigProblem[]): boolean {
  if (isServerName(name)) return true;
  const better = usableServerName(name);
  const fix = source.kind === 'flag' ? `change ${source.flag}${better ? ` (for example to ${source.flag} ${better})` : ''}` : `${whereToFix(key, source).replace(/^edit/, 'rename')}${better ? `, for example to ${better}` : ''}`;
  problems.push(configProblem(key, source, `'${name}' is not a usable server name: it tags logs and forms the URL /servers/<name>/mcp, so it must be ${SERVER_NAME_RULE}`, fix));
  return false;
}

/** In a list of servers two entries may carry the same name (a map cannot: the parser reports it). */
export class NameRegistry {
  private readonly seen = new Map<string, string>();

  /** False (and a problem) when `name` was already taken by an earlier entry. */
  claim(name: string, fileKey: string, source: ConfigSource, file: string, problems: ConfigProblem[]): boolean {
    const earlier = this.seen.get(name);
    if (earlier === undefined) {
      this.seen.set(name, fileKey);
      return true;
    }
    problems.push(configProblem(`servers.${name}`, source, `is defined twice (${earlier} and ${fileKey}): server names must be unique`, `rename or remove one of them in ${file}`));
    return false;
  }
}
