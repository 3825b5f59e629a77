import type { DuckDBConnection } from '@duckdb/node-api';
import { PipelineError, QueryTimeoutError } from '../../errors.js';
import { REINTERRUPT_MS } from './connection-pool.js';

/**
 * The end of one query's life: its timeout or the caller's abort signal,
 * whichever comes first. `signal` aborts with the typed error to throw.
 */
export class QueryDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly outer: AbortSignal | undefined;
  private readonly onOuterAbort = () =>
    this.controller.abort(new PipelineError('PIPELINE_EXECUTION_ERROR', 'Query interrupted: the run is shutting down'));

  constructor(timeoutMs: number, outer?: AbortSignal) {
    this.timer = setTimeout(() => this.controller.abort(new QueryTimeoutError(timeoutMs)), timeoutMs);
    this.outer = outer;
    if (outer?.aborted) this.onOuterAbort();
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Settles with `work` (running on `connection`), or rejects as soon as the
   * deadline passes; then the connection is interrupted until `work` settles.
   * `release` runs once the interrupts have stopped, so the connection's
   * next query is never hit by one meant for this query.
   */
  race<T>(connection: DuckDBConnection, work: Promise<T>, release: () => void): Promise<T> {
    const signal = this.signal;
    return new Promise<T>((resolve, reject) => {
      let repeat: NodeJS.Timeout | undefined;
      const onAbort = () => {
        reject(signal.reason);
        connection.interrupt();
        // An interrupt that lands before DuckDB starts executing is lost, so repeat it.
        repeat = setInterval(() => connection.interrupt(), REINTERRUPT_MS);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject).finally(() => {
        clearInterval(repeat);
        signal.removeEventListener('abort', onAbort);
        release();
      });
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }
}
