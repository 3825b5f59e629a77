/**
 * Faults a test asks a fake Google server to inject, per endpoint, and the
 * requests it counted per endpoint, so a test can prove how often a client
 * retried. Shared by the fake BigQuery and Cloud Storage servers.
 */
export type Fault =
  /** Answer with this HTTP error (the documented error body) instead of serving. */
  | { kind: 'status'; status: number; reason: string; message?: string }
  /** Wait before serving. */
  | { kind: 'latency'; ms: number }
  /** Destroy the socket before the request is served: nothing happened on the server. */
  | { kind: 'drop-before' }
  /** Serve the request (create the job, ...), then destroy the socket instead of answering. */
  | { kind: 'drop-after' }
  /** jobs.insert only: the job is created but stays RUNNING forever. */
  | { kind: 'stuck-job' }
  /** jobs.insert only: the job runs no SQL and ends DONE with this errorResult. */
  | { kind: 'job-error'; reason: string; message: string };

export class FaultPlan {
  /** Per endpoint, what its next requests meet, in order; undefined lets a request through. */
  private readonly pending = new Map<string, Array<Fault | undefined>>();
  private readonly counts = new Map<string, number>();

  /** The next `times` requests to `endpoint` meet `fault`. */
  inject(endpoint: string, fault: Fault, times = 1): void {
    this.queue(endpoint, fault, times);
  }

  /** The next `skip` requests to `endpoint` go through, then `times` meet `fault`: a fault at one step of several. */
  injectAfter(endpoint: string, skip: number, fault: Fault, times = 1): void {
    this.queue(endpoint, undefined, skip);
    this.queue(endpoint, fault, times);
  }

  private queue(endpoint: string, fault: Fault | undefined, times: number): void {
    const queue = this.pending.get(endpoint) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.pending.set(endpoint, queue);
  }

  /** Counts one request to `endpoint` and returns the fault it meets, if any. */
  take(endpoint: string): Fault | undefined {
    this.counts.set(endpoint, this.count(endpoint) + 1);
    return this.pending.get(endpoint)?.shift();
  }

  count(endpoint: string): number {
    return this.counts.get(endpoint) ?? 0;
  }

  /** Every endpoint's request count, for failure messages. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  reset(): void {
    this.pending.clear();
    this.counts.clear();
  }
}
