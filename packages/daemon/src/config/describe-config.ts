import { DAEMON_SCHEMA } from './schema.js';
import { schemaLeaves } from './schema-walk.js';
import { SERVER_SCHEMA } from './server-schema.js';
import { redactForDisplay } from './secrets.js';
import { DEFAULT_SOURCE, describeSource } from './sources.js';
import type { ConfigSource, LoadedConfig, ServerConfig } from './types.js';

/**
 * `config print`: one line per key, "key = value (source)", in schema order, servers last.
 * A server's env gets a line per variable, so each shows its own source. Secrets are shown
 * as <redacted>: secret-looking keys, variables and flag arguments (secrets.ts).
 */
export function describeConfig(loaded: LoadedConfig): string[] {
  const lines: string[] = [];
  const line = (key: string, value: unknown) => lines.push(`${key} = ${shown(key, value)} (${describeSource(loaded.sources.get(key) ?? DEFAULT_SOURCE)})`);
  for (const leaf of schemaLeaves(DAEMON_SCHEMA)) {
    if (leaf.key === 'servers') {
      if (loaded.config.servers.length === 0) line('servers', []);
      continue;
    }
    line(leaf.key, valueAt(loaded.config, leaf.key));
  }
  for (const server of loaded.config.servers) lines.push(...serverLines(server, loaded.sources));
  return lines;
}

function serverLines(server: ServerConfig, sources: Map<string, ConfigSource>): string[] {
  const prefix = `servers.${server.name}.`;
  const lines: string[] = [];
  const line = (key: string, value: unknown) => lines.push(`${key} = ${shown(key, value)} (${describeSource(sources.get(key) ?? DEFAULT_SOURCE)})`);
  for (const leaf of schemaLeaves(SERVER_SCHEMA)) {
    const value = valueAt(server, leaf.key);
    if (leaf.key === 'env' && Object.keys(server.env).length > 0) {
      for (const [name, item] of Object.entries(server.env)) line(`${prefix}env.${name}`, item);
    } else {
      line(prefix + leaf.key, value);
    }
  }
  return lines;
}

function valueAt(root: object, key: string): unknown {
  return key.split('.').reduce<unknown>((node, name) => (node as Record<string, unknown>)[name], root);
}

function shown(key: string, value: unknown): string {
  const redacted = redactForDisplay(key, value);
  if (redacted === null) return '(none)';
  if (typeof redacted === 'string') return redacted === '' ? '""' : redacted;
  return JSON.stringify(redacted);
}
