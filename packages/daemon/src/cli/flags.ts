import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

/**
 * A thin layer over node:util parseArgs. parseArgs runs non-strict and this file checks its
 * tokens itself, because its strict-mode errors ("Unknown option '--x'. To specify a
 * positional argument starting with a '-', place it after '--'") neither name our command
 * nor point at --help. It also adds the two yargs habits that supergateway's users rely on:
 * kebab-case spellings of camelCase flags, and array flags that take every following word.
 */

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** May be given more than once (values collect into an array). */
  multiple?: boolean;
  short?: string;
  /** yargs `type: 'array'`: `--cors a b` takes both words. Implies `multiple`. */
  greedy?: boolean;
  /** The value a greedy flag takes when no word follows it (`--cors` alone means any origin). */
  bareValue?: string;
}

export interface CommandSpec {
  /** The command's name in messages: "bridge" gives "mcp-workstation bridge --help". */
  command: string;
  flags: Record<string, FlagSpec>;
  /** Flags we know but do not support, with the sentence that says what to do instead. */
  refused?: Record<string, string>;
  /** Whether words that belong to no flag are allowed. */
  allowPositionals?: boolean;
}

export type FlagValue = string | boolean | string[] | undefined;

export interface ParsedFlags {
  values: Record<string, FlagValue>;
  positionals: string[];
}

export function parseFlags(argv: string[], spec: CommandSpec): ParsedFlags {
  const args = expandGreedyFlags(argv.map(camelCaseFlag), spec);
  rejectRefusedFlags(args, spec);
  const { values, positionals, tokens } = parseArgs({
    args,
    options: parseArgsOptions(spec),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  checkTokens(tokens, spec);
  if (positionals.length > 0 && !spec.allowPositionals) {
    throw new UsageError(
      `unexpected argument '${positionals[0]}' for ${commandName(spec)}. ${helpHint(spec)}`,
    );
  }
  return { values: values as Record<string, FlagValue>, positionals };
}

export function helpHint(spec: CommandSpec): string {
  return `Run '${commandName(spec)} --help' to see its flags.`;
}

function commandName(spec: CommandSpec): string {
  return spec.command ? `mcp-workstation ${spec.command}` : 'mcp-workstation';
}

/** `--output-transport=sse` -> `--outputTransport=sse` (yargs accepts both spellings). */
function camelCaseFlag(arg: string): string {
  if (!arg.startsWith('--') || arg === '--') return arg;
  const eq = arg.indexOf('=');
  const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
  const rest = eq === -1 ? '' : arg.slice(eq);
  const camel = name.replace(/-([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
  return `--${camel}${rest}`;
}

/** Rewrites `--cors a b` as `--cors=a --cors=b`, and a bare `--cors` as `--cors=<bareValue>`. */
function expandGreedyFlags(argv: string[], spec: CommandSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return out.concat(argv.slice(i));
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    const flag = name === undefined ? undefined : spec.flags[name];
    if (!flag?.greedy) {
      out.push(arg);
      continue;
    }
    const words: string[] = [];
    while (i + 1 < argv.length && !argv[i + 1].startsWith('-')) words.push(argv[++i]);
    if (words.length === 0) out.push(flag.bareValue === undefined ? arg : `--${name}=${flag.bareValue}`);
    for (const word of words) out.push(`--${name}=${word}`);
  }
  return out;
}

function rejectRefusedFlags(args: string[], spec: CommandSpec): void {
  for (const arg of args) {
    if (arg === '--') return;
    if (!arg.startsWith('--')) continue;
    const name = arg.slice(2).split('=')[0];
    const reason = spec.refused?.[name];
    if (reason !== undefined) throw new UsageError(`--${name} is not supported by ${commandName(spec)}: ${reason}`);
  }
}

function parseArgsOptions(spec: CommandSpec) {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, flag] of Object.entries(spec.flags)) {
    options[name] = { type: flag.type, multiple: Boolean(flag.multiple || flag.greedy), ...(flag.short ? { short: flag.short } : {}) };
  }
  return options;
}

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

function checkTokens(tokens: Token[], spec: CommandSpec): void {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const flag = spec.flags[token.name];
    const shown = token.rawName.startsWith('--') ? `--${token.name}` : token.rawName;
    if (!flag) throw new UsageError(`unknown flag ${shown} for ${commandName(spec)}. ${helpHint(spec)}`);
    if (flag.type === 'boolean' && token.inlineValue) {
      throw new UsageError(`${shown} is a switch and takes no value (got '${token.value}'). ${helpHint(spec)}`);
    }
    if (flag.type === 'string') checkStringValue(token, shown, spec);
    if (!flag.multiple && !flag.greedy && seen.has(token.name)) {
      throw new UsageError(`${shown} was given more than once; give it once.`);
    }
    seen.add(token.name);
  }
}

function checkStringValue(token: Token & { kind: 'option' }, shown: string, spec: CommandSpec): void {
  if (token.value === undefined) throw new UsageError(`${shown} needs a value. ${helpHint(spec)}`);
  // parseArgs (non-strict) takes the next word even when it is another flag: `--port --host x`.
  if (!token.inlineValue && token.value.startsWith('-')) {
    throw new UsageError(
      `${shown} needs a value but is followed by '${token.value}'. ` +
        `To pass a value that starts with '-', write ${shown}=${token.value}.`,
    );
  }
}
