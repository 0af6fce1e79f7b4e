/**
 * A state directory or state file that cannot be used as it is. It always names the path, the
 * problem and the fix, because the operator has to act on it: the agent never repairs or
 * overwrites state it did not just write itself.
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
