/**
 * Runs tasks one after another. A backend's up, apply, restart and down all change the same
 * interface; interleaving them (a restart re-creating the device while down() removes it)
 * would leave things behind.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
