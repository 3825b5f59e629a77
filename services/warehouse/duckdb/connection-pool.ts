import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/**
 * A fixed set of connections so metric queries run concurrently, each on its
 * own connection (DuckDB runs one statement at a time per connection, and
 * interrupting a connection must stop only that query).
 */
export class ConnectionPool {
  private readonly idle: DuckDBConnection[];
  private readonly waiters: Array<(connection: DuckDBConnection) => void> = [];

  private constructor(private readonly all: DuckDBConnection[]) {
    this.idle = [...all];
  }

  static async open(
    instance: DuckDBInstance,
    size: number,
    setUp: (connection: DuckDBConnection) => Promise<void>,
  ): Promise<ConnectionPool> {
    const connections: DuckDBConnection[] = [];
    try {
      for (let i = 0; i < size; i++) {
        const connection = await instance.connect();
        connections.push(connection);
        await setUp(connection);
      }
    } catch (error) {
      for (const connection of connections) connection.closeSync();
      throw error;
    }
    return new ConnectionPool(connections);
  }

  /** A free connection; waits for one, unless `signal` aborts first (rejecting with its reason). */
  acquire(signal?: AbortSignal): Promise<DuckDBConnection> {
    const free = this.idle.pop();
    if (free !== undefined) return Promise.resolve(free);
    return new Promise((resolve, reject) => {
      const waiter = (connection: DuckDBConnection) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(connection);
      };
      const onAbort = () => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(signal?.reason);
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(connection: DuckDBConnection): void {
    const waiter = this.waiters.shift();
    if (waiter === undefined) this.idle.push(connection);
    else waiter(connection);
  }

  close(): void {
    for (const connection of this.all) connection.closeSync();
  }
}
