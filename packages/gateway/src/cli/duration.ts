import { UsageError } from './usage-error.js';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `1h`, `7d` → milliseconds. */
export function parseDuration(option: string, text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) throw new UsageError(`${option} "${text}" is not a duration: give a number and a unit, e.g. 30m, 1h or 7d`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}
