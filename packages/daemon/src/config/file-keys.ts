import { configProblem } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import type { ConfigFile } from './config-file.js';
import { suggestKey } from './did-you-mean.js';
import { hintFor } from './key-hints.js';
import type { KeyHint } from './key-hints.js';
import { isSection, schemaChild, schemaPaths } from './schema-walk.js';

/**
 * The values a config file gives, walked against the schema. A key the schema does not
 * have is an error (the rule of convict's `allowed: 'strict'`, found here so the message
 * can give the file's line and a suggestion). Values are never shown for unknown keys: one
 * may be a secret written where it does not belong.
 */

export interface FileValue {
  /** The config key: "listen.port", "servers.aws.restart.maxDelayMs". */
  key: string;
  /** The key relative to the walked schema: "listen.port", "restart.maxDelayMs". */
  schemaKey: string;
  /** As the file spells it: "servers[0].restart.maxDelayMs". */
  fileKey: string;
  value: unknown;
}

export interface FileWalk {
  schema: object;
  file: ConfigFile;
  /** Prepended to keys in messages: "" or "servers.aws.". */
  keyPrefix: string;
  /** Where the walked map sits in the file: "" or "servers.aws" or "servers[0]". */
  fileKeyPrefix: string;
  hints: Record<string, KeyHint>;
  /** Top-level names read by someone else (servers; a listed server's name). */
  skip: ReadonlySet<string>;
  /** Ignore top-level keys starting with "x-" (as docker compose does), to hold YAML anchors. */
  extensionKeys?: boolean;
}

export function fileValues(data: Record<string, unknown>, walk: FileWalk, problems: ConfigProblem[]): FileValue[] {
  const values: FileValue[] = [];
  visit(walk.schema as Record<string, unknown>, data, '', walk, values, problems);
  return values;
}

function visit(node: Record<string, unknown>, data: Record<string, unknown>, prefix: string, walk: FileWalk, values: FileValue[], problems: ConfigProblem[]): void {
  for (const [name, value] of Object.entries(data)) {
    if (prefix === '' && (walk.skip.has(name) || (walk.extensionKeys && name.startsWith('x-')))) continue;
    const schemaKey = prefix === '' ? name : `${prefix}.${name}`;
    const fileKey = walk.fileKeyPrefix === '' ? schemaKey : `${walk.fileKeyPrefix}.${schemaKey}`;
    const child = schemaChild(node, name);
    if (child === undefined) {
      problems.push(unknownKeyProblem(schemaKey, fileKey, walk));
    } else if (!isSection(child)) {
      values.push({ key: walk.keyPrefix + schemaKey, schemaKey, fileKey, value });
    } else if (isPlainMap(value)) {
      visit(child, value, schemaKey, walk, values, problems);
    } else if (value !== null) {
      // `listen:` with nothing under it is YAML's null: an empty section, so the defaults hold.
      const names = Object.keys(child).join(', ');
      problems.push(
        configProblem(walk.keyPrefix + schemaKey, walk.file.sourceOf(fileKey), `is a section of keys (${names}), not a single value`, `write it in ${walk.file.info.path} as a map, with ${names} under it`),
      );
    }
  }
}

export function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKeyProblem(schemaKey: string, fileKey: string, walk: FileWalk): ConfigProblem {
  const source = walk.file.sourceOf(fileKey);
  const where = `${walk.file.info.path}${source.line === undefined ? '' : ` (line ${source.line})`}`;
  const hint = hintFor(walk.hints, schemaKey);
  const suggestion = hint?.instead ?? (hint?.say ? undefined : suggestKey(schemaKey, schemaPaths(walk.schema)));
  const shown = (key: string) => walk.keyPrefix + key;
  const reason = hint?.say
    ? `is not a configuration key: ${hint.say}`
    : `is not a configuration key${suggestion ? `; did you mean ${shown(suggestion)}?` : ''}`;
  const fix = suggestion
    ? `rename it to ${shown(suggestion)} in ${where}`
    : `remove it from ${where} (docs/configuration.md lists every key)`;
  return configProblem(shown(schemaKey), source, reason, fix);
}
