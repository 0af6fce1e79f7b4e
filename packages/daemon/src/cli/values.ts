import { UsageError } from '../errors.js';
import type { FlagValue } from './flags.js';

/** Typed readers for parsed flag values: each names the flag and the expected form when it is wrong. */

export function stringFlag(values: Record<string, FlagValue>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listFlag(values: Record<string, FlagValue>, name: string): string[] {
  const value = values[name];
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

export function booleanFlag(values: Record<string, FlagValue>, name: string): boolean {
  return values[name] === true;
}

export function portFlag(raw: string | undefined, fallback: number, flag = '--port'): number {
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new UsageError(`${flag} must be a port number from 0 to 65535 (0 picks a free port), not '${raw}'.`);
  }
  return port;
}

export function positiveIntegerFlag(raw: string | undefined, flag: string, unit: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value <= 0 || !Number.isSafeInteger(value)) {
    throw new UsageError(`${flag} must be a positive whole number of ${unit}, not '${raw}'.`);
  }
  return value;
}

export function choiceFlag<T extends string>(raw: string | undefined, flag: string, choices: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`${flag} must be one of ${choices.join(', ')}, not '${raw}'.`);
}

/** A URL path; "mcp" means "/mcp" (supergateway users write either). */
export function urlPathFlag(raw: string | undefined, flag: string, fallback: string): string {
  if (raw === undefined) return fallback;
  const path = raw.startsWith('/') ? raw : `/${raw}`;
  if (path === '/' || /[\s?#]/.test(path)) {
    throw new UsageError(`${flag} must be a URL path such as ${fallback} (no spaces, '?' or '#'), not '${raw}'.`);
  }
  return path;
}
