/** A command line that cannot run: the message says what is wrong and which --help to read. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
