import { formatNamed } from './formats.js';
import { DAEMON_SCHEMA } from './schema.js';
import { schemaLeaves } from './schema-walk.js';
import { SERVER_SCHEMA } from './server-schema.js';

/** Every key with its default, doc, variable, flag and allowed values: for docs and `config --help`. */

export interface ConfigKeyReference {
  key: string;
  default: unknown;
  doc: string;
  allowed: string;
  env?: string;
  flag?: string;
}

export function configReference(): ConfigKeyReference[] {
  const root = schemaLeaves(DAEMON_SCHEMA).map((leaf) => ({
    key: leaf.key,
    default: leaf.default,
    doc: leaf.doc,
    allowed: formatNamed(leaf.format).allowed,
    env: leaf.env,
    flag: leaf.arg === undefined ? undefined : `--${leaf.arg}`,
  }));
  const server = schemaLeaves(SERVER_SCHEMA).map((leaf) => ({
    key: `servers.<name>.${leaf.key}`,
    default: leaf.default,
    doc: leaf.doc,
    allowed: formatNamed(leaf.format).allowed,
  }));
  return [...root, ...server];
}
