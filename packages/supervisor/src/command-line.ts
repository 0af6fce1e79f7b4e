/** STUB: split a command line into an argv the way a POSIX shell would (quotes, backslashes; no expansion). */
export function splitCommandLine(_line: string): string[] {
  throw new Error('not implemented');
}
