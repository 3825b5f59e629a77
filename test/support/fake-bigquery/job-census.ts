import { statementTypeOf } from './bigquery-statements.js';
import type { JobRecord } from './fake-jobs.js';

/** The jobs a run made on the local server, by what they did. */
export interface JobCensus {
  /** SELECTs that do not read the partition info table: the metrics' own queries. */
  queries: number;
  /** SELECTs that read the partition info table. */
  lookups: number;
  /** Anything but a SELECT: target and recon writes, staging chunks. */
  writes: number;
}

/** Counts jobs by kind; `partitionInfoTable` is the name (or part of it) lookups read. */
export function jobCensus(records: Iterable<JobRecord>, partitionInfoTable: string): JobCensus {
  const census: JobCensus = { queries: 0, lookups: 0, writes: 0 };
  for (const record of records) {
    const sql = record.configuration.query?.query ?? '';
    if (statementTypeOf(sql) !== 'SELECT') census.writes++;
    else if (sql.includes(partitionInfoTable)) census.lookups++;
    else census.queries++;
  }
  return census;
}
