/**
 * A BridgeOptions (or IngressOptions) value the bridge cannot use. createBridge() and
 * ingress() throw it before anything listens or starts, so a configuration mistake is a
 * sentence for the person who made it, not an "internal error" at the first request.
 * The runtime server calls (addServer, replaceServer, removeServer, setDefaultServer) refuse
 * with it too, changing nothing; their `option` names the call ("addServer(upstream).name").
 * `option` is the option's path ("security.allowedHosts[1]"), so a CLI can name its own flag.
 */
export class BridgeOptionsError extends Error {
  constructor(
    readonly option: string,
    /** The value as given; undefined for secrets, which are never repeated. */
    readonly value: unknown,
    /** What was wrong with it. */
    readonly problem: string,
    /** What the option accepts. */
    readonly allowed: string,
  ) {
    super(`bridge option ${option}${value === undefined ? '' : ` = ${show(value)}`}: ${problem}. Allowed: ${allowed}.`);
    this.name = 'BridgeOptionsError';
  }
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
