import type { BigQuery, JobMetadata } from '@google-cloud/bigquery';
import { QueryTimeoutError } from '../../errors.js';
import { BigQueryJobError, httpStatusOf, isTransientBigQueryError } from './bigquery-errors.js';
import type { RestQueryParameter, RestQueryResults } from './bigquery-values.js';
import { jobIdForTry } from './job-identity.js';
import { abortable, withRetry, type RetryPolicy } from './retry-policy.js';

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
  jobId: string;
  firstPage?: RestQueryResults;
}

/** What one wait for a running job tells: done (with its results page), still running, or nothing (the call failed). */
type WaitOutcome = { page: RestQueryResults } | 'running' | 'unknown';

interface JobCall {
  method: 'GET' | 'POST';
  uri: string;
  qs?: Record<string, string | number | boolean>;
  /** JSON text, made by the caller. */
  body?: string;
}

/**
 * Job mechanics shared by queries and writes: insert with a fixed id, wait for
 * DONE, cancel past the deadline. HTTP calls are retried on transient errors
 * with the same job id; a job that ran and failed transiently is run again
 * under a new id.
 *
 * Every call goes through the client's authenticated transport with JSON made
 * here, once, and answers cut to the fields used (`fields`): the client's job
 * methods deep-copy configurations both ways and build a Job object per call,
 * BigQuery echoes a write's every row, and a 10,000-metric run makes 40,000 calls.
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
        const jobId = jobIdForTry(spec.baseJobId, tryNumber);
        const firstPage = await this.awaitDone(jobId, await this.insert(jobId, spec), spec, deadline);
        return { jobId, ...(firstPage ? { firstPage } : {}) };
      },
      spec.signal,
    );
  }

  /** A dry run: BigQuery parses and plans the query without running it (no job is kept). */
  async dryRun(configuration: JobConfiguration, signal?: AbortSignal): Promise<JobMetadata> {
    const body = JSON.stringify({ jobReference: await this.reference(), configuration: { ...configuration, dryRun: true } });
    return this.callWithRetry(() => this.call<JobMetadata>({ method: 'POST', uri: '/jobs', body }, 'statistics'), signal);
  }

  /** One page of a completed query's rows (jobs.getQueryResults). */
  resultsPage(jobId: string, maxResults: number, pageToken?: string, signal?: AbortSignal): Promise<RestQueryResults> {
    return this.callWithRetry(() => this.getQueryResults(jobId, { maxResults, ...(pageToken ? { pageToken } : {}) }), signal);
  }

  /** jobs.insert; a 409 means an earlier try of this very request created the job: fetch it (jobs.get). */
  private async insert(jobId: string, spec: JobSpec): Promise<JobMetadata> {
    const { configuration } = spec;
    const body = `{"jobReference":${JSON.stringify(await this.reference(jobId))},"configuration":${typeof configuration === 'string' ? configuration : JSON.stringify(configuration)}}`;
    return this.callWithRetry(async () => {
      try {
        return await this.call<JobMetadata>({ method: 'POST', uri: '/jobs', body }, 'status');
      } catch (error) {
        if (httpStatusOf(error) === 409) return this.status(jobId);
        throw error;
      }
    }, spec.signal);
  }

  /** Waits for DONE; the results page when a long poll learnt it, undefined when the job's status did. */
  private async awaitDone(jobId: string, inserted: JobMetadata, spec: JobSpec, deadline: number): Promise<RestQueryResults | undefined> {
    let metadata = inserted;
    while (metadata.status?.state !== 'DONE') {
      const left = deadline - Date.now();
      if (left <= 0) {
        await this.cancel(jobId);
        throw new QueryTimeoutError(spec.timeoutMs);
      }
      const outcome = await this.waitAWhile(jobId, Math.min(left, this.options.longPollMs), spec);
      if (typeof outcome === 'object') return outcome.page;
      if (outcome === 'unknown') metadata = await this.callWithRetry(() => this.status(jobId), spec.signal);
    }
    const errorResult = metadata.status.errorResult;
    if (errorResult) {
      // BigQuery itself stopped the job at jobTimeoutMs.
      if (errorResult.reason === 'timeout') throw new QueryTimeoutError(spec.timeoutMs);
      throw new BigQueryJobError(jobId, errorResult);
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
  private async waitAWhile(jobId: string, ms: number, spec: JobSpec): Promise<WaitOutcome> {
    const answer = this.getQueryResults(jobId, { maxResults: spec.resultRows ?? 0, timeoutMs: ms }).then(
      (page): WaitOutcome => (page.jobComplete === true ? { page } : 'running'),
      (): WaitOutcome => 'unknown',
    );
    try {
      return await abortable(answer, spec.signal);
    } catch (abortReason) {
      await this.cancel(jobId);
      throw abortReason;
    }
  }

  /** A new job's reference: jobs.insert takes the location here, the calls on an existing job as a parameter. */
  private async reference(jobId?: string) {
    const { client, location } = this.options;
    return { projectId: await client.getProjectId(), ...(jobId ? { jobId } : {}), ...(location ? { location } : {}) };
  }

  /** jobs.get of the job's state and errors. */
  private status(jobId: string): Promise<JobMetadata> {
    return this.call<JobMetadata>({ method: 'GET', uri: `/jobs/${jobId}`, qs: this.located() }, 'status');
  }

  private getQueryResults(jobId: string, qs: JobCall['qs']): Promise<RestQueryResults> {
    const format = { 'formatOptions.useInt64Timestamp': true };
    return this.call<RestQueryResults>({ method: 'GET', uri: `/queries/${jobId}`, qs: { ...qs, ...format, ...this.located() } });
  }

  /** Best effort: the job may have just finished; either way the caller gives up on it. */
  private async cancel(jobId: string): Promise<void> {
    const cancel = { method: 'POST', uri: `/jobs/${jobId}/cancel`, qs: this.located() } as const;
    await this.callWithRetry(() => this.call(cancel, 'kind')).catch(() => undefined);
  }

  private located(): Record<string, string> {
    return this.options.location ? { location: this.options.location } : {};
  }

  /** One call; `fields` limits the answer to those top-level fields. */
  private call<T>(call: JobCall, fields?: string): Promise<T> {
    const qs = { ...call.qs, ...(fields ? { fields } : {}) };
    const headers = call.body === undefined ? {} : { 'Content-Type': 'application/json' };
    return new Promise((resolve, reject) => {
      this.options.client.request({ ...call, qs, headers }, (error, response?: T) => (error ? reject(error) : resolve(response ?? ({} as T))));
    });
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
