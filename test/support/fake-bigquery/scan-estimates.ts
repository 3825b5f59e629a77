import { referenceName, tableReferences } from '../../../services/sql/table-references.js';
import type { Fault } from '../fault-plan.js';
import type { QueryJobConfiguration } from './fake-jobs.js';

/** On-demand pricing bills at least 10 MB for each table a query reads. */
export const MIN_BYTES_BILLED_PER_TABLE = 10n * 1024n * 1024n;

type Size = bigint | 'unknown';

/**
 * The bytes the fake's dry runs report and its jobs bill. Each table a query
 * reads counts the bytes a test set for it (named as the SQL names it,
 * `project.dataset.table`), or 10 MB when none was set; one 'unknown' table
 * makes the dry run's estimate unknown, as BigQuery reports for tables it
 * cannot size. A job bills at least 10 MB per table, so a job can go over a
 * maximumBytesBilled that its estimate stayed under, as on BigQuery.
 */
export class ScanEstimates {
  private readonly sizes = new Map<string, Size>();

  set(table: string, bytes: Size): void {
    this.sizes.set(table, bytes);
  }

  /** A dry run's figures: BigQuery's statistics.query totalBytesProcessed and its accuracy. */
  estimate(sql: string): { totalBytesProcessed: string; totalBytesProcessedAccuracy: 'PRECISE' | 'UNKNOWN' } {
    const sizes = this.sizesOf(sql);
    if (sizes.includes('unknown')) return { totalBytesProcessed: '0', totalBytesProcessedAccuracy: 'UNKNOWN' };
    return { totalBytesProcessed: String(sum(sizes as bigint[])), totalBytesProcessedAccuracy: 'PRECISE' };
  }

  /**
   * What BigQuery does to a job over its maximumBytesBilled: the job ends DONE
   * with errorResult bytesBilledLimitExceeded, and no SQL runs.
   */
  limitFault(configuration: QueryJobConfiguration): Fault | undefined {
    const limit = configuration.query?.maximumBytesBilled;
    if (limit === undefined) return undefined;
    const billed = sum(this.sizesOf(configuration.query?.query ?? '').map((size) => (size === 'unknown' || size < MIN_BYTES_BILLED_PER_TABLE ? MIN_BYTES_BILLED_PER_TABLE : size)));
    if (billed <= BigInt(limit)) return undefined;
    return { kind: 'job-error', reason: 'bytesBilledLimitExceeded', message: `Query exceeded limit for bytes billed: ${limit}. ${billed} or higher required.` };
  }

  private sizesOf(sql: string): Size[] {
    return tableReferences(sql).map((reference) => this.sizes.get(referenceName(reference)) ?? MIN_BYTES_BILLED_PER_TABLE);
  }
}

function sum(values: bigint[]): bigint {
  return values.reduce((total, value) => total + value, 0n);
}
