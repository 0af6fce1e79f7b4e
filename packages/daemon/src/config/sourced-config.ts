import convict from 'convict';
import { ConfigError, configProblem } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import { formatNamed } from './formats.js';
import { resolveConfiguredPath } from './paths.js';
import type { PathContext } from './paths.js';
import { schemaLeaves } from './schema-walk.js';
import type { SchemaLeaf } from './schema-walk.js';
import { REDACTED, redactForDisplay } from './secrets.js';
import { DEFAULT_SOURCE, whereToFix } from './sources.js';
import type { ConfigSource } from './types.js';

export interface SourcedConfigOptions {
  /** Prepended to keys in sources and messages: "" or "servers.aws.". */
  keyPrefix?: string;
  /** Makes relative and '~' paths absolute as they are set (paths.ts). */
  paths: PathContext;
  /** Whether a value of an `isPath` key is a path (the admin key also takes HOST:PORT). */
  isPathValue?: (leaf: SchemaLeaf, value: string) => boolean;
  /** How to fix a value that is wrong by default (a key that must be given). */
  fixMissing?: (key: string) => string;
}

/**
 * A convict config that remembers where each key's value came from. Values go in with
 * set(), from the lowest precedence to the highest, and the last one wins; convict coerces
 * strings through the key's format. Each value is checked as it is set, so a bad value in
 * the file is reported even when a variable or a flag overrides it (it would break the day
 * the override goes away). Problems carry the key and that value's source.
 */
export class SourcedConfig<T> {
  readonly leaves: SchemaLeaf[];
  // Untyped inside: keys are dotted strings checked against the schema, and T is what comes out.
  private readonly convict: convict.Config<Record<string, unknown>>;
  private readonly sources = new Map<string, ConfigSource>();
  private readonly problems: ConfigProblem[] = [];
  private readonly keyPrefix: string;

  constructor(
    schema: object,
    private readonly options: SourcedConfigOptions,
  ) {
    this.convict = convict(schema as convict.Schema<Record<string, unknown>>, { env: {}, args: [] });
    this.leaves = schemaLeaves(schema);
    this.keyPrefix = options.keyPrefix ?? '';
  }

  set(key: string, value: unknown, source: ConfigSource): void {
    this.convict.set(key, value);
    this.sources.set(key, source);
    const leaf = this.leaves.find((candidate) => candidate.key === key);
    if (!leaf) return;
    this.resolvePath(leaf, source);
    const problem = this.problemWith(leaf, source);
    if (problem) this.problems.push(problem);
  }

  get(key: string): unknown {
    return this.convict.get(key);
  }

  sourceOf(key: string): ConfigSource {
    return this.sources.get(key) ?? DEFAULT_SOURCE;
  }

  /** The problems of every value set so far, and of keys left at a default that is not allowed (a required key). */
  check(problems: ConfigProblem[], except: ReadonlySet<string> = new Set()): void {
    problems.push(...this.problems);
    for (const leaf of this.leaves) {
      if (this.sources.has(leaf.key) || except.has(leaf.key)) continue;
      const problem = this.problemWith(leaf, DEFAULT_SOURCE);
      if (problem) problems.push(problem);
    }
  }

  /** Every key and its source, with this config's key prefix. */
  entries(): [string, ConfigSource][] {
    return this.leaves.map((leaf) => [this.keyPrefix + leaf.key, this.sourceOf(leaf.key)]);
  }

  /**
   * The checked values. convict's own strict validation runs last, as a guard: after
   * check() found nothing it cannot fail unless the two disagree, which would be a bug here.
   */
  properties(): T {
    try {
      this.convict.validate({ allowed: 'strict' });
    } catch (err) {
      throw new ConfigError([configProblem(this.keyPrefix || 'config', undefined, `failed convict's validation: ${(err as Error).message}`, 'report this, with the config, as a bug')]);
    }
    return this.convict.getProperties() as T;
  }

  private resolvePath(leaf: SchemaLeaf, source: ConfigSource): void {
    const value = this.get(leaf.key);
    if (!leaf.isPath || typeof value !== 'string' || value === '') return;
    if (this.options.isPathValue && !this.options.isPathValue(leaf, value)) return;
    this.convict.set(leaf.key, resolveConfiguredPath(value, source, this.options.paths));
  }

  private problemWith(leaf: SchemaLeaf, source: ConfigSource): ConfigProblem | null {
    const value = this.get(leaf.key);
    if (leaf.nullable && value === null) return null;
    const reason = formatNamed(leaf.format).check(value);
    if (reason === null) return null;
    const key = this.keyPrefix + leaf.key;
    const fix = source.kind === 'default' ? (this.options.fixMissing ?? ((missing) => `set ${missing} in the config file`))(key) : whereToFix(key, source);
    return configProblem(key, source, reason, fix, shownValue(key, value));
  }
}

/** The value as a message shows it: JSON, shortened, and never a secret. */
export function shownValue(key: string, value: unknown): string {
  const redacted = redactForDisplay(key, value);
  if (redacted === REDACTED) return REDACTED;
  const text = JSON.stringify(redacted) ?? String(redacted);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
