import type { z } from 'zod';

/** A validation outcome that names the problem instead of throwing: neither side may crash on a bad message. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Runs a schema and turns its first issue into one sentence that names the field ("tunnel.peer.publicKey: …"). */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'message';
  return { ok: false, reason: `${where}: ${issue?.message ?? 'invalid'}` };
}

/** JSON.parse that reports instead of throwing. */
export function parseJson(text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
}
