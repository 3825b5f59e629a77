import type { BigQuery } from '@google-cloud/bigquery';
import { SerialLanes } from '../../serial-lanes.js';
import { formatTableRef, type TableRef } from '../../table-ref.js';
import type { Column } from '../warehouse.js';
import { isConcurrentUpdate, toPipelineError } from './bigquery-errors.js';
import { queryJobConfiguration, type JobRunner } from './bigquery-jobs.js';
import { createTableIfMissing, tableHandle } from './bigquery-tables.js';
import { contentDigest, jobLabels, writeJobId } from './job-identity.js';
import { chunkRanges, MAX_CONFIGURATION_BYTES } from './request-limits.js';
import { fieldName, ROWS_PARAMETER, rowJson, rowsParameterType, stagingInsertSql, writeSql, type WriteBatch } from './write-statements.js';

export interface BatchWriterOptions {
  client: BigQuery;
  runner: JobRunner;
  /** Runs `work` in one of the process's job slots, shared with queries. */
  inJobSlot: <T>(work: () => Promise<T>) => Promise<T>;
  /** Timeout of each write job: a stuck write must not hang the run. */
  writeTimeoutMs: number;
}

/** A staging table a crash left behind removes itself after this long. */
const STAGING_LIFETIME_MS = 24 * 60 * 60 * 1000;
const NO_ROWS = '"arrayValues":[]';

/**
 * Writes one table's batch atomically and within BigQuery's request limits
 * (request-limits.ts). A batch whose rows fit in one request is ONE job: the
 * rows travel as one ARRAY<STRUCT> parameter (`UNNEST(@rows)`). A bigger one
 * goes through a staging table: chunks of rows that each fit in a request,
 * then ONE transaction script that writes them all to the table or none.
 * Every job id derives from the batch, so a request sent again is a no-op.
 */
export class BatchWriter {
  // One lane per table: BigQuery runs at most 2 mutating DML statements per
  // table at once and fails queued ones beyond 20; serializing here keeps a
  // busy run far from both, leaving the conflict retry for other processes.
  private readonly tableLanes = new SerialLanes();

  constructor(private readonly options: BatchWriterOptions) {}

  async write(batch: WriteBatch): Promise<void> {
    if (batch.rows.length === 0) return;
    try {
      await this.tableLanes.run(formatTableRef(batch.table), () => this.writeWithinLimits(batch));
    } catch (error) {
      throw toPipelineError(error, 'BIGQUERY_WRITE_ERROR');
    }
  }

  private async writeWithinLimits(batch: WriteBatch): Promise<void> {
    const kind = batch.keyColumns ? 'replace' : 'append';
    const rows = batch.rows.map((row) => rowJson(batch.columns, row));
    const request = this.requestJson(writeSql(batch, { kind: 'parameter' }), batch.columns, rows);
    const digest = contentDigest(request);
    if (Buffer.byteLength(request) <= MAX_CONFIGURATION_BYTES) {
      await this.runJob(writeJobId(kind, digest), request);
      return;
    }
    const staging = { ...batch.table, table: `_metrics_staging_${digest}` };
    await this.fillStagingTable(staging, batch.columns, rows, digest);
    const script = writeSql(batch, { kind: 'staging', table: staging, count: rows.length });
    await this.runJob(writeJobId(kind, digest), JSON.stringify(this.configuration(script, false)));
    // Best effort: the table expires anyway.
    await tableHandle(this.options.client, staging).delete().catch(() => undefined);
  }

  /** Creates the staging table and inserts the rows in chunks that each fit in one request. */
  private async fillStagingTable(staging: TableRef, columns: Column[], rows: string[], digest: string): Promise<void> {
    const sql = stagingInsertSql(staging, columns);
    const ranges = chunkRanges(
      rows.map((row) => Buffer.byteLength(row)),
      Buffer.byteLength(this.requestJson(sql, columns, [])),
      MAX_CONFIGURATION_BYTES,
    );
    const fields = columns.map((column, c) => ({ name: fieldName(c), type: column.type }));
    await createTableIfMissing(this.options.client, this.options.runner, staging, fields, new Date(Date.now() + STAGING_LIFETIME_MS));
    for (const [chunk, [start, end]] of ranges.entries()) {
      await this.runJob(writeJobId('stage', `${digest}_${chunk}`), this.requestJson(sql, columns, rows.slice(start, end)));
    }
  }

  /**
   * The job's configuration as the JSON sent, its `@rows` parameter holding
   * `rows` (each already JSON): made once as text, because as objects a
   * 10,000-row batch costs tens of MB, several times over.
   */
  private requestJson(sql: string, columns: Column[], rows: string[]): string {
    const [before, after] = JSON.stringify(this.configuration(sql, columns)).split(NO_ROWS) as [string, string];
    return `${before}"arrayValues":[${rows.join(',')}]${after}`;
  }

  /** The job's configuration, with an empty rows parameter of these columns' types, or none. */
  private configuration(sql: string, rowColumns: Column[] | false) {
    const params = rowColumns ? [{ name: ROWS_PARAMETER, parameterType: rowsParameterType(rowColumns), parameterValue: { arrayValues: [] } }] : [];
    return queryJobConfiguration(sql, params, jobLabels(), this.options.writeTimeoutMs);
  }

  private async runJob(baseJobId: string, configuration: string): Promise<void> {
    const { runner, writeTimeoutMs } = this.options;
    await this.options.inJobSlot(() => runner.run({ baseJobId, configuration, timeoutMs: writeTimeoutMs, retryFailure: isConcurrentUpdate }));
  }
}
