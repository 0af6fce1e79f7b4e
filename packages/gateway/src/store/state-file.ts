import type { z } from 'zod';
import { parseWith } from '@mcp-workstation/protocol';
import { readJsonFile } from '@mcp-workstation/wireguard';

/** What the operator can do about a gateway state file that is corrupt. */
const CORRUPT_FILE_FIX = 'restore it from a backup or remove it (agents it names must then register again)';

/**
 * Reads a private JSON state file of the gateway and validates it with `schema`: null when it
 * does not exist; a StateError naming the fix when it is loose, a link or corrupt (left as it is).
 */
export function readStateFile<T>(file: string, schema: z.ZodType<T>): Promise<T | null> {
  return readJsonFile(file, (input) => parseWith(schema, input), CORRUPT_FILE_FIX);
}
