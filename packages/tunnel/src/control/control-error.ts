/** A control channel that cannot start: a bad control URL or CA file. The message names the fix. */
export class ControlChannelError extends Error {
  override readonly name = 'ControlChannelError';

  constructor(
    readonly code: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`control channel: ${problem}. Fix: ${fix}`);
  }
}
