/**
 * Runs tasks one after another within a lane, in call order, while different
 * lanes run side by side; a failed task does not block the next one. An idle
 * lane is forgotten, so the lanes do not grow with every key ever used.
 */
export class SerialLanes {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(lane: string, task: () => Promise<T>): Promise<T> {
    const result = (this.#tails.get(lane) ?? Promise.resolve()).then(task);
    const tail = result.catch(() => undefined);
    this.#tails.set(lane, tail);
    void tail.then(() => {
      if (this.#tails.get(lane) === tail) this.#tails.delete(lane);
    });
    return result;
  }

  /** Resolves once every task queued so far, in every lane, has settled. */
  async settled(): Promise<void> {
    await Promise.all(this.#tails.values());
  }
}
