import type { BigQuery, Job, JobMetadata } from '@google-cloud/bigquery';
import { QueryTimeoutError } from '../../errors.js';
import { BigQueryJobError, httpStatusOf, isTransientBigQueryError } from './bigquery-errors.js';
import { abortable, withRetry, type RetryPolicy } from './retry-policy.js';
import type { RestQueryParameter } from './bigquery-values.js';
import { jobIdForTry } from './job-identity.js';

export interface JobRunnerOptions {
  client: BigQuery;
  retry: RetryPolicy;
  location?: string;
  /** Longest one wait for a running job may take; BigQuery's own default is 10 s. */
  longPollMs: number;
}

export interface JobSpec {
  /** The id of try 1; later tries of a failed job append `_t<n>`. */
  baseJobId: string;
  /** The REST JobConfiguration, sent as is. */
  configuration: NonNullable<JobMetadata['configuration']>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Failed jobs worth a new try besides transient ones (write conflicts). */
  retryFailure?: (error: BigQueryJobError) => boolean;
}

interface InsertedJob {
  job: Job;
  metadata: JobMetadata;
}

/** What one wait for a running job tells. */
type WaitOutcome = 'complete' | 'running' | 'unknown';

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
  run(spec: JobSpec): Promise<Job> {
    const retryFailure = (error: unknown) =>
      error instanceof BigQueryJobError && (isTransientBigQueryError(error) || (spec.retryFailure?.(error) ?? false));
    return withRetry(
      this.options.retry,
      retryFailure,
      async (tryNumber) => {
        const deadline = Date.now() + spec.timeoutMs;
        const inserted = await this.insert(jobIdForTry(spec.baseJobId, tryNumber), spec);
        await this.awaitDone(inserted, spec, deadline);
        return inserted.job;
      },
      spec.signal,
    );
  }

  /** A dry run: BigQuery parses and plans the query without running it (no job is kept). */
  async dryRun(configuration: JobSpec['configuration'], signal?: AbortSignal): Promise<JobMetadata> {
    const { client, location } = this.options;
    return this.callWithRetry(async () => (await client.createJob({ location, configuration: { ...configuration, dryRun: true } }))[1], signal);
  }

  /** jobs.insert; a 409 means an earlier try of this very request created the job: fetch it (jobs.get). */
  private async insert(jobId: string, spec: JobSpec): Promise<InsertedJob> {
    const { client, location } = this.options;
    const job = client.job(jobId, { location });
    return this.callWithRetry(async () => {
      try {
        const [created, metadata] = await client.createJob({ jobId, location, configuration: spec.configuration });
        return { job: created, metadata };
      } catch (error) {
        if (httpStatusOf(error) === 409) return { job, metadata: (await job.getMetadata())[0] as JobMetadata };
        // The client rejects a created job whose status holds errors; it is still a job to judge below.
        const response = (error as { response?: JobMetadata }).response;
        if (response?.status !== undefined && response.jobReference !== undefined) return { job, metadata: response };
        throw error;
      }
    }, spec.signal);
  }

  private async awaitDone({ job, metadata: inserted }: InsertedJob, spec: JobSpec, deadline: number): Promise<void> {
    let metadata = inserted;
    while (metadata.status?.state !== 'DONE') {
      const left = deadline - Date.now();
      if (left <= 0) {
        await this.cancel(job);
        throw new QueryTimeoutError(spec.timeoutMs);
      }
      const outcome = await this.waitAWhile(job, Math.min(left, this.options.longPollMs), spec.signal);
      if (outcome === 'complete') return;
      if (outcome === 'unknown') metadata = (await this.callWithRetry(() => job.getMetadata(), spec.signal))[0] as JobMetadata;
    }
    const errorResult = metadata.status.errorResult;
    if (errorResult) {
      // BigQuery itself stopped the job at jobTimeoutMs.
      if (errorResult.reason === 'timeout') throw new QueryTimeoutError(spec.timeoutMs);
      throw new BigQueryJobError(job.id ?? spec.baseJobId, errorResult);
    }
  }

  /**
   * One long poll (jobs.getQueryResults with timeoutMs): BigQuery answers as
   * soon as the job completes, or after `ms` with jobComplete false, so a run
   * learns of a finished job at once instead of at the next poll. A job that
   * failed answers with its error; jobs.get then reads the job's own status.
   * Aborting cancels the job without waiting for the answer.
   */
  private async waitAWhile(job: Job, ms: number, signal?: AbortSignal): Promise<WaitOutcome> {
    const answer = this.getQueryResultsStatus(job, ms).then(
      (complete): WaitOutcome => (complete ? 'complete' : 'running'),
      (): WaitOutcome => 'unknown',
    );
    try {
      return await abortable(answer, signal);
    } catch (abortReason) {
      await this.cancel(job);
      throw abortReason;
    }
  }

  private getQueryResultsStatus(job: Job, timeoutMs: number): Promise<boolean> {
    const qs = { maxResults: 0, timeoutMs, ...(this.options.location ? { location: this.options.location } : {}) };
    return new Promise((resolve, reject) => {
      this.options.client.request({ uri: `/queries/${job.id}`, qs }, (error, response?: { jobComplete?: boolean }) =>
        error ? reject(error) : resolve(response?.jobComplete === true),
      );
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
): JobSpec['configuration'] {
  return { query: { query: sql, useLegacySql: false, parameterMode: 'NAMED', queryParameters }, labels, jobTimeoutMs: String(timeoutMs) };
}
