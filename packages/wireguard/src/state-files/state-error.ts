/**
 * A state directory or state file that cannot be used as it is. It always names the path, the
 * problem and the fix, because the operator has to act on it: neither the agent nor the gateway
 * repairs or overwrites state it did not just write itself. One shape for every such message,
 * `<path>: <problem>. Fix: <fix>`, as the project's other errors that name a fix.
 */
export class StateError extends Error {
  override readonly name = 'StateError';

  constructor(
    readonly path: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${path}: ${problem}. Fix: ${fix}`);
  }
}
