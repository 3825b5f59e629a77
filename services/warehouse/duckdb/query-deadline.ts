import { PipelineError, QueryTimeoutError } from '../../errors.js';

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
   * Settles with `work`, or rejects as soon as the deadline passes and calls
   * `interrupt` to stop the work, which may still be running then.
   */
  race<T>(work: Promise<T>, interrupt: () => void): Promise<T> {
    const signal = this.signal;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        reject(signal.reason);
        interrupt();
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }
}
