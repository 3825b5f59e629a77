import type { DuckDBConnection } from '@duckdb/node-api';
import { PipelineError } from '../../errors.js';

/** How often an interrupt is repeated until the engine gives the connection back. */
const REINTERRUPT_MS = 20;

interface Waiter {
  resolve: (connection: DuckDBConnection) => void;
  reject: (reason: unknown) => void;
}

/**
 * A fixed set of connections so metric queries run concurrently, each on its
 * own connection (DuckDB runs one statement at a time per connection, and
 * interrupting a connection must stop only that query).
 */
export class ConnectionPool {
  private readonly idle: DuckDBConnection[];
  private readonly busy = new Set<DuckDBConnection>();
  private readonly waiters: Waiter[] = [];
  /** The repeating interrupt of each lent connection being interrupted. */
  private readonly interrupting = new Map<DuckDBConnection, NodeJS.Timeout>();
  private closing = false;
  /** Resolves `close` once every lent connection is back. */
  private drained: (() => void) | undefined;

  /** Lends out these connections, set up by whoever opened them; closing the pool closes them. */
  constructor(private readonly all: DuckDBConnection[]) {
    this.idle = [...all];
  }

  /** A free connection; waits for one, unless `signal` aborts first (rejecting with its reason). */
  acquire(signal?: AbortSignal): Promise<DuckDBConnection> {
    if (this.closing) return Promise.reject(warehouseClosedError());
    const free = this.idle.pop();
    if (free !== undefined) return Promise.resolve(this.lend(free));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve: (connection) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(connection);
        },
        reject: (reason) => {
          signal?.removeEventListener('abort', onAbort);
          reject(reason);
        },
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /**
   * Interrupts the query running on a lent connection, again and again until
   * the connection is given back: an interrupt that lands before DuckDB starts
   * executing is lost. Stopping at release means the connection's next query
   * is never hit by an interrupt meant for this one.
   */
  interrupt(connection: DuckDBConnection): void {
    if (!this.busy.has(connection) || this.interrupting.has(connection)) return;
    connection.interrupt();
    this.interrupting.set(connection, setInterval(() => connection.interrupt(), REINTERRUPT_MS));
  }

  release(connection: DuckDBConnection): void {
    clearInterval(this.interrupting.get(connection));
    this.interrupting.delete(connection);
    const waiter = this.closing ? undefined : this.waiters.shift();
    if (waiter !== undefined) return waiter.resolve(connection);
    this.busy.delete(connection);
    this.idle.push(connection);
    if (this.busy.size === 0) this.drained?.();
  }

  /**
   * Refuses new work, interrupts what is running and closes every connection
   * once it is given back. Closing a connection under a running query would
   * leave that query running in the engine, and the process unable to exit.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(warehouseClosedError());
    if (this.busy.size > 0) {
      const drained = new Promise<void>((resolve) => {
        this.drained = resolve;
      });
      for (const connection of this.busy) this.interrupt(connection);
      await drained;
    }
    for (const connection of this.all) connection.closeSync();
  }

  private lend(connection: DuckDBConnection): DuckDBConnection {
    this.busy.add(connection);
    return connection;
  }
}

export function warehouseClosedError(): PipelineError {
  return new PipelineError('PIPELINE_EXECUTION_ERROR', 'The DuckDB warehouse is closed');
}
