/**
 * The child's environment: the daemon's own, with the server's overrides on top.
 * An override of `undefined` removes the variable (for example a proxy setting the
 * server must not inherit).
 */
export function buildChildEnv(
  overrides: Record<string, string | undefined> | undefined,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}
