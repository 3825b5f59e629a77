import { setTimeout as delay } from 'node:timers/promises';
import type { DuckDbEngine, Execution, RestParameter } from './duckdb-engine.js';
import type { Fault } from '../fault-plan.js';
import { HttpError } from '../http-kit.js';

/** The part of a JobConfiguration the fake reads. */
export interface QueryJobConfiguration {
  query?: { query?: string; queryParameters?: RestParameter[]; maximumBytesBilled?: string };
  labels?: Record<string, string>;
  jobTimeoutMs?: string;
  dryRun?: boolean;
}

export interface JobRecord {
  reference: { projectId: string; jobId: string; location: string };
  configuration: QueryJobConfiguration;
  state: 'RUNNING' | 'DONE';
  /** Set when DONE with an error; `status` is the HTTP status its results call answers with. */
  failure?: HttpError;
  execution?: Execution;
  statementType?: string;
  creationTime: number;
  endTime?: number;
}

/** How long a job stays RUNNING at least, from its creation; benchmarks set it to model BigQuery's latency. */
export type JobLatency = (configuration: QueryJobConfiguration) => number;

/**
 * Query jobs: created RUNNING, executed on the engine in the background,
 * then DONE with a result or an errorResult. `executions` counts SQL that
 * really ran, so a test proves a retried insert ran the query once.
 */
export class FakeJobs {
  readonly records = new Map<string, JobRecord>();
  readonly executedSql: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly interrupts = new Map<JobRecord, AbortController>();
  /** Settles when a job finishes, for the long polls waiting on it. */
  private readonly finished = new Map<JobRecord, { promise: Promise<void>; resolve: () => void }>();
  private readonly closing = new AbortController();

  constructor(
    private readonly engine: DuckDbEngine,
    private readonly latency: JobLatency = () => 0,
  ) {}

  get executions(): number {
    return this.executedSql.length;
  }

  find(projectId: string, jobId: string): JobRecord {
    const record = this.records.get(`${projectId}:${jobId}`);
    if (record === undefined) throw new HttpError(404, 'notFound', `Not found: Job ${projectId}:${jobId}`);
    return record;
  }

  /** jobs.insert: 409 for a known id; a `stuck-job` fault leaves it RUNNING, `job-error` fails it without SQL. */
  insert(reference: JobRecord['reference'], configuration: QueryJobConfiguration, fault?: Fault): JobRecord {
    const key = `${reference.projectId}:${reference.jobId}`;
    if (this.records.has(key)) throw new HttpError(409, 'duplicate', `Already Exists: Job ${reference.projectId}:${reference.location}.${reference.jobId}`);
    const record: JobRecord = { reference, configuration, state: 'RUNNING', creationTime: Date.now() };
    this.records.set(key, record);
    if (fault?.kind === 'job-error') this.finish(record, { failure: new HttpError(400, fault.reason, fault.message) });
    else if (fault?.kind !== 'stuck-job') this.track(this.execute(record));
    return record;
  }

  /** jobs.cancel: a running job ends DONE with reason 'stopped'. */
  cancel(record: JobRecord): void {
    if (record.state !== 'RUNNING') return;
    this.finish(record, { failure: new HttpError(400, 'stopped', 'Job execution was cancelled: User requested cancellation') });
    this.interrupts.get(record)?.abort();
  }

  /**
   * jobs.getQueryResults' timeoutMs: resolves when the job is DONE, when `ms`
   * pass, or when the server closes, whichever comes first.
   */
  async waitUntilDone(record: JobRecord, ms: number): Promise<void> {
    if (record.state === 'DONE' || ms <= 0) return;
    let finished = this.finished.get(record);
    if (finished === undefined) {
      let resolve = () => {};
      const promise = new Promise<void>((settle) => (resolve = settle));
      finished = { promise, resolve };
      this.finished.set(record, finished);
    }
    const timer = new AbortController();
    try {
      await Promise.race([finished.promise, delay(ms, undefined, { signal: AbortSignal.any([timer.signal, this.closing.signal]) }).catch(() => undefined)]);
    } finally {
      timer.abort();
    }
  }

  /** Ends every long poll at once: the server is closing. */
  stopWaiting(): void {
    this.closing.abort();
  }

  /** Waits for background executions, so a test's teardown never closes DuckDB under a query. */
  async settle(): Promise<void> {
    await Promise.all([...this.running]);
  }

  private track(execution: Promise<void>): void {
    this.running.add(execution);
    void execution.finally(() => this.running.delete(execution));
  }

  private async execute(record: JobRecord): Promise<void> {
    const sql = record.configuration.query?.query ?? '';
    this.executedSql.push(sql);
    const interrupt = new AbortController();
    this.interrupts.set(record, interrupt);
    try {
      const params = record.configuration.query?.queryParameters ?? [];
      const execution = await this.engine.execute(sql, params, record.reference.projectId, interrupt.signal);
      const wait = record.creationTime + this.latency(record.configuration) - Date.now();
      if (wait > 0) await delay(wait);
      if (record.state === 'RUNNING') this.finish(record, { execution });
    } catch (error) {
      const failure = error instanceof HttpError ? error : new HttpError(500, 'internalError', String(error));
      if (record.state === 'RUNNING') this.finish(record, { failure });
    } finally {
      this.interrupts.delete(record);
    }
  }

  private finish(record: JobRecord, outcome: { execution?: Execution; failure?: HttpError }): void {
    record.state = 'DONE';
    record.endTime = Date.now();
    if (outcome.execution) {
      record.execution = outcome.execution;
      record.statementType = outcome.execution.statementType;
    }
    if (outcome.failure) record.failure = outcome.failure;
    this.finished.get(record)?.resolve();
    this.finished.delete(record);
  }
}

/** A job as jobs.insert and jobs.get return it. */
export function jobResource(record: JobRecord) {
  const { projectId, jobId, location } = record.reference;
  const errorResult = record.failure ? { reason: record.failure.reason, message: record.failure.message } : undefined;
  return {
    kind: 'bigquery#job',
    id: `${projectId}:${location}.${jobId}`,
    jobReference: record.reference,
    configuration: { ...record.configuration, jobType: 'QUERY' },
    status: { state: record.state, ...(errorResult ? { errorResult, errors: [errorResult] } : {}) },
    statistics: {
      creationTime: String(record.creationTime),
      startTime: String(record.creationTime),
      ...(record.endTime !== undefined ? { endTime: String(record.endTime) } : {}),
      ...(record.statementType ? { query: { statementType: record.statementType } } : {}),
    },
  };
}
