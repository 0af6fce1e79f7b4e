import { UsageError } from './usage-error.js';

/** Runs node:util parseArgs and turns its errors into a UsageError that points at the command's --help. */
export function withUsageErrors<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see: mcp-workstation-gateway ${command} --help)`);
  }
}

export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** A whole-number option such as a port. */
export function integerOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} "${value}" is not a whole number`);
  return Number(value);
}
