import type { BigQuery, Job, JobMetadata } from '@google-cloud/bigquery';
import { QueryTimeoutError } from '../../errors.js';
import { BigQueryJobError, httpStatusOf, isTransientBigQueryError } from './bigquery-errors.js';
import { abortable, withRetry, type RetryPolicy } from './retry-policy.js';
import type { RestQueryParameter, RestQueryResults } from './bigquery-values.js';
import { jobIdForTry } from './job-identity.js';

export interface JobRunnerOptions {
  client: BigQuery;
  retry: RetryPolicy;
  location?: string;
  /** Longest one wait for a running job may take; BigQuery's own default is 10 s. */
  longPollMs: number;
}

export type JobConfiguration = NonNullable<JobMetadata['configuration']>;

export interface JobSpec {
  /** The id of try 1; later tries of a failed job append `_t<n>`. */
  baseJobId: string;
  /** The REST JobConfiguration, sent as is; or its JSON, when the caller made it already (writes do, to size and name the job). */
  configuration: JobConfiguration | string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Failed jobs worth a new try besides transient ones (write conflicts). */
  retryFailure?: (error: BigQueryJobError) => boolean;
  /** For a query whose rows are read: the wait for the job brings back up to this many, saving a call. */
  resultRows?: number;
}

/** A job that ran to DONE without error, and the first page of its results when the wait brought it. */
export interface CompletedJob {
  job: Job;
  firstPage?: RestQueryResults;
}

interface InsertedJob {
  job: Job;
  metadata: JobMetadata;
}

/** What one wait for a running job tells: done (with its results page), still running, or nothing (the call failed). */
type WaitOutcome = { page: RestQueryResults } | 'running' | 'unknown';

/**
 * Job mechanics shared by queries and writes: insert with a fixed id, wait for
 * DONE, cancel past the deadline. HTTP calls are retried on transient errors
 * with the same job id; a job that ran and failed transiently is run again
 * under a new id.
 */
export class JobRunner {
  constructor(private readonly options: JobRunnerOptions) {}

  callWithRetry<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetry(this.options.retry, isTransientBigQueryError, fn, signal);
  }

  /** Runs the job to DONE and returns it; throws BigQueryJobError, QueryTimeoutError or the client's error. */
  run(spec: JobSpec): Promise<CompletedJob> {
    const retryFailure = (error: unknown) =>
      error instanceof BigQueryJobError && (isTransientBigQueryError(error) || (spec.retryFailure?.(error) ?? false));
    return withRetry(
      this.options.retry,
      retryFailure,
      async (tryNumber) => {
        const deadline = Date.now() + spec.timeoutMs;
        const inserted = await this.insert(jobIdForTry(spec.baseJobId, tryNumber), spec);
        const firstPage = await this.awaitDone(inserted, spec, deadline);
        return { job: inserted.job, ...(firstPage ? { firstPage } : {}) };
      },
      spec.signal,
    );
  }

  /** A dry run: BigQuery parses and plans the query without running it (no job is kept). */
  async dryRun(configuration: JobConfiguration, signal?: AbortSignal): Promise<JobMetadata> {
    const { client, location } = this.options;
    return this.callWithRetry(async () => (await client.createJob({ location, configuration: { ...configuration, dryRun: true } }))[1], signal);
  }

  /** jobs.insert; a 409 means an earlier try of this very request created the job: fetch it (jobs.get). */
  private async insert(jobId: string, spec: JobSpec): Promise<InsertedJob> {
    const { client, location } = this.options;
    const job = client.job(jobId, { location });
    const reference = { projectId: await client.getProjectId(), jobId, ...(location ? { location } : {}) };
    const { configuration } = spec;
    const body = `{"jobReference":${JSON.stringify(reference)},"configuration":${typeof configuration === 'string' ? configuration : JSON.stringify(configuration)}}`;
    return this.callWithRetry(async () => {
      try {
        return { job, metadata: await this.request({ method: 'POST', uri: '/jobs', body, headers: { 'Content-Type': 'application/json' } }) };
      } catch (error) {
        if (httpStatusOf(error) === 409) return { job, metadata: await this.status(job) };
        throw error;
      }
    }, spec.signal);
  }

  /** jobs.get of the job's state and errors only. */
  private status(job: Job): Promise<JobMetadata> {
    return this.request({ method: 'GET', uri: `/jobs/${job.id}`, qs: this.options.location ? { location: this.options.location } : {} });
  }

  /**
   * A job call through the client's authenticated transport, with a body made
   * once as text and an answer cut to the job's reference and status
   * (`fields`): BigQuery echoes the whole configuration, a write's every row,
   * and the client deep-copies objects both ways, tens of MB at 10,000 rows.
   */
  private request(options: { method: 'GET' | 'POST'; uri: string; body?: string; headers?: Record<string, string>; qs?: Record<string, string> }): Promise<JobMetadata> {
    const qs = { ...options.qs, fields: 'jobReference,status' };
    return new Promise((resolve, reject) => {
      this.options.client.request({ ...options, qs }, (error, response?: JobMetadata) => (error ? reject(error) : resolve(response ?? {})));
    });
  }

  /** Waits for DONE; the results page when a long poll learnt it, undefined when the job's status did. */
  private async awaitDone({ job, metadata: inserted }: InsertedJob, spec: JobSpec, deadline: number): Promise<RestQueryResults | undefined> {
    let metadata = inserted;
    while (metadata.status?.state !== 'DONE') {
      const left = deadline - Date.now();
      if (left <= 0) {
        await this.cancel(job);
        throw new QueryTimeoutError(spec.timeoutMs);
      }
      const outcome = await this.waitAWhile(job, Math.min(left, this.options.longPollMs), spec);
      if (typeof outcome === 'object') return outcome.page;
      if (outcome === 'unknown') metadata = await this.callWithRetry(() => this.status(job), spec.signal);
    }
    const errorResult = metadata.status.errorResult;
    if (errorResult) {
      // BigQuery itself stopped the job at jobTimeoutMs.
      if (errorResult.reason === 'timeout') throw new QueryTimeoutError(spec.timeoutMs);
      throw new BigQueryJobError(job.id ?? spec.baseJobId, errorResult);
    }
    return undefined;
  }

  /**
   * One long poll (jobs.getQueryResults with timeoutMs): BigQuery answers as
   * soon as the job completes, or after `ms` with jobComplete false, so a run
   * learns of a finished job at once instead of at the next poll. A job that
   * failed answers with its error; jobs.get then reads the job's own status.
   * Aborting cancels the job without waiting for the answer.
   */
  private async waitAWhile(job: Job, ms: number, spec: JobSpec): Promise<WaitOutcome> {
    const answer = this.getQueryResults(job, ms, spec.resultRows ?? 0).then(
      (page): WaitOutcome => (page.jobComplete === true ? { page } : 'running'),
      (): WaitOutcome => 'unknown',
    );
    try {
      return await abortable(answer, spec.signal);
    } catch (abortReason) {
      await this.cancel(job);
      throw abortReason;
    }
  }

  private getQueryResults(job: Job, timeoutMs: number, maxResults: number): Promise<RestQueryResults> {
    const qs = { maxResults, timeoutMs, 'formatOptions.useInt64Timestamp': true, ...(this.options.location ? { location: this.options.location } : {}) };
    return new Promise((resolve, reject) => {
      this.options.client.request({ uri: `/queries/${job.id}`, qs }, (error, response?: RestQueryResults) => (error ? reject(error) : resolve(response ?? {})));
    });
  }

  /** Best effort: the job may have just finished; either way the caller gives up on it. */
  private async cancel(job: Job): Promise<void> {
    await this.callWithRetry(() => job.cancel()).catch(() => undefined);
  }
}

/** A query job's REST configuration: standard SQL, named parameters, labels, and BigQuery's own timeout. */
export function queryJobConfiguration(
  sql: string,
  queryParameters: RestQueryParameter[],
  labels: Record<string, string>,
  timeoutMs: number,
): JobConfiguration {
  return { query: { query: sql, useLegacySql: false, parameterMode: 'NAMED', queryParameters }, labels, jobTimeoutMs: String(timeoutMs) };
}
