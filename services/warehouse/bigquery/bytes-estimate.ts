import type { JobMetadata } from '@google-cloud/bigquery';
import { BytesBilledLimitError } from '../../errors.js';

/**
 * The bytes a dry run says the query processes, or null when BigQuery cannot
 * tell: no figure, or one whose accuracy is UNKNOWN or only a LOWER_BOUND.
 * An unknown estimate is never reported as 0.
 */
export function estimatedBytes(planned: JobMetadata): string | null {
  const statistics = planned.statistics;
  const bytes = statistics?.query?.totalBytesProcessed ?? statistics?.totalBytesProcessed;
  const accuracy = statistics?.query?.totalBytesProcessedAccuracy;
  if (bytes == null || accuracy === 'UNKNOWN' || accuracy === 'LOWER_BOUND') return null;
  return String(bytes);
}

/**
 * Refuses a query whose estimate is over the job's maximumBytesBilled before
 * a job is inserted. BigQuery enforces the same limit on the job itself,
 * against the bytes it bills, which can be more than the estimate.
 */
export function assertWithinBytesLimit(planned: JobMetadata, limit: string | undefined): void {
  const bytes = estimatedBytes(planned);
  if (limit !== undefined && bytes !== null && BigInt(bytes) > BigInt(limit)) throw new BytesBilledLimitError(bytes, limit);
}
