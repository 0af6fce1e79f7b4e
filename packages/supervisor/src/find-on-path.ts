/** STUB: the absolute path of an executable on PATH (as given, or process.env.PATH), or null. */
export function findOnPath(_command: string, _pathVariable?: string): string | null {
  throw new Error('not implemented');
}
