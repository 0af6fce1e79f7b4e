/** A problem with a state file or the state directory, with the fix for the operator. */
export class StateError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${file}: ${problem}; ${fix}`);
    this.name = 'StateError';
  }
}
