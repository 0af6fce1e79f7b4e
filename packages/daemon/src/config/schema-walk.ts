/**
 * Reading a convict-style schema: a node with a `default` is a key (a leaf), any other object
 * is a section of keys. The same rule convict applies, so both agree on what a key is.
 */

export interface SchemaLeaf {
  /** Dotted, relative to the schema's root: "listen.port", "restart.maxDelayMs". */
  key: string;
  doc: string;
  format: string;
  default: unknown;
  nullable: boolean;
  env?: string;
  /** The mirroring flag, kebab-case without dashes: "state-dir". */
  arg?: string;
  isPath: boolean;
}

type SchemaNode = Record<string, unknown>;

export function isSection(node: unknown): node is SchemaNode {
  return typeof node === 'object' && node !== null && !Array.isArray(node) && !('default' in node);
}

/** The schema node for `name` under `node`, only for own keys ("constructor" is not a key). */
export function schemaChild(node: SchemaNode, name: string): unknown {
  return Object.hasOwn(node, name) ? node[name] : undefined;
}

export function schemaLeaves(schema: object, prefix = ''): SchemaLeaf[] {
  const leaves: SchemaLeaf[] = [];
  for (const [name, node] of Object.entries(schema)) {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    if (isSection(node)) {
      leaves.push(...schemaLeaves(node, key));
      continue;
    }
    const item = node as Record<string, unknown>;
    leaves.push({
      key,
      doc: String(item.doc ?? ''),
      format: String(item.format),
      default: item.default,
      nullable: item.nullable === true,
      env: typeof item.env === 'string' ? item.env : undefined,
      arg: typeof item.arg === 'string' ? item.arg : undefined,
      isPath: item.isPath === true,
    });
  }
  return leaves;
}

/** Every key and section path: the candidates of a "did you mean". */
export function schemaPaths(schema: object, prefix = ''): string[] {
  const paths: string[] = [];
  for (const [name, node] of Object.entries(schema)) {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    paths.push(key);
    if (isSection(node)) paths.push(...schemaPaths(node, key));
  }
  return paths;
}

/** `state-dir` -> `stateDir`: the name parseFlags gives the flag's value under. */
export function camelCase(arg: string): string {
  return arg.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}
