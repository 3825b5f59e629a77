import type { BigQuery, Job, JobMetadata } from '@google-cloud/bigquery';
import { QueryTimeoutError } from '../../errors.js';
import { BigQueryJobError, httpStatusOf, isTransientBigQueryError } from './bigquery-errors.js';
import { sleep, withRetry, type RetryPolicy } from './retry-policy.js';
import { jobIdForTry } from './job-identity.js';

export interface JobRunnerOptions {
  client: BigQuery;
  retry: RetryPolicy;
  location?: string;
  /** Pause between two looks at a running job. */
  pollIntervalMs: number;
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

export interface JobHandle {
  job: Job;
  metadata: JobMetadata;
}

/**
 * Job mechanics shared by queries and writes: insert with a fixed id, wait for
 * DONE, cancel past the deadline. HTTP calls are retried on transient errors
 * with the same job id; a job that ran and failed transiently is run again
 * under a new id.
 */
export function createJobRunner(options: JobRunnerOptions) {
  const { client, retry, location } = options;
  const callWithRetry = <T>(fn: () => Promise<T>, signal?: AbortSignal) =>
    withRetry(retry, isTransientBigQueryError, fn, signal);

  /** jobs.insert; a 409 means an earlier try of this very request created the job: fetch it (jobs.get). */
  async function insert(jobId: string, spec: JobSpec): Promise<JobHandle> {
    const job = client.job(jobId, { location });
    return callWithRetry(async () => {
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

  /** Best effort: the job may have just finished; either way the caller gives up on it. */
  async function cancel(job: Job): Promise<void> {
    await callWithRetry(() => job.cancel()).catch(() => undefined);
  }

  async function awaitDone(found: JobHandle, spec: JobSpec, deadline: number): Promise<JobMetadata> {
    let metadata = found.metadata;
    while (metadata.status?.state !== 'DONE') {
      const left = deadline - Date.now();
      if (left <= 0) {
        await cancel(found.job);
        throw new QueryTimeoutError(spec.timeoutMs);
      }
      try {
        await sleep(Math.min(options.pollIntervalMs, left), spec.signal);
      } catch (abortReason) {
        await cancel(found.job);
        throw abortReason;
      }
      metadata = (await callWithRetry(() => found.job.getMetadata(), spec.signal))[0] as JobMetadata;
    }
    const errorResult = metadata.status.errorResult;
    if (errorResult) {
      // BigQuery itself stopped the job at jobTimeoutMs.
      if (errorResult.reason === 'timeout') throw new QueryTimeoutError(spec.timeoutMs);
      throw new BigQueryJobError(found.job.id ?? spec.baseJobId, errorResult);
    }
    return metadata;
  }

  /** Runs the job to DONE and returns it; throws BigQueryJobError, QueryTimeoutError or the client's error. */
  function run(spec: JobSpec): Promise<JobHandle> {
    const retryFailure = (error: unknown) =>
      error instanceof BigQueryJobError && (isTransientBigQueryError(error) || (spec.retryFailure?.(error) ?? false));
    return withRetry(
      retry,
      retryFailure,
      async (tryNumber) => {
        const deadline = Date.now() + spec.timeoutMs;
        const found = await insert(jobIdForTry(spec.baseJobId, tryNumber), spec);
        return { job: found.job, metadata: await awaitDone(found, spec, deadline) };
      },
      spec.signal,
    );
  }

  /** A dry run: BigQuery parses and plans the query without running it (no job is kept). */
  async function dryRun(configuration: JobSpec['configuration'], signal?: AbortSignal): Promise<JobMetadata> {
    return callWithRetry(async () => (await client.createJob({ location, configuration: { ...configuration, dryRun: true } }))[1], signal);
  }

  return { run, dryRun, callWithRetry };
}

export type JobRunner = ReturnType<typeof createJobRunner>;
