/**
 * One lane per target table: writes to the same table run one after another
 * within this process. BigQuery runs at most 2 mutating DML statements per
 * table at once and fails queued ones beyond 20; serializing here keeps a
 * busy run far from both limits, and leaves the conflict retry for writers in
 * other processes.
 */
export function createTableWriteLanes() {
  const tails = new Map<string, Promise<unknown>>();
  return function inLane<T>(table: string, write: () => Promise<T>): Promise<T> {
    const previous = tails.get(table) ?? Promise.resolve();
    const result = previous.then(write);
    const tail = result.catch(() => undefined);
    tails.set(table, tail);
    // Forget an idle lane so the map does not grow with every table ever written.
    void tail.then(() => {
      if (tails.get(table) === tail) tails.delete(table);
    });
    return result;
  };
}
