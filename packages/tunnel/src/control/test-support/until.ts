/**
 * Polls `check` until it returns something other than undefined, null or false, or fails after the
 * deadline naming what it waited for: tests wait for conditions, never for fixed times.
 */
export async function until<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
