/**
 * Runs async sections one at a time. Registrations and key changes must not interleave:
 * "is this key free?" and "install it" have to be one step, as do "is this token unused?"
 * and "use it up".
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section, section);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
