import { UserError } from '../errors.js';

/**
 * Something about installing, removing or querying the service that the person can fix: the
 * message says what went wrong and the fix, and the CLI prints it without a stack.
 */
export class ServiceInstallError extends UserError {
  constructor(problem: string, fix: string) {
    super(`${problem}.\n  fix: ${fix}`);
    this.name = 'ServiceInstallError';
  }
}
