import type { BigQuery, Job, JobMetadata, TableMetadata } from '@google-cloud/bigquery';
import PQueue from 'p-queue';
import { PipelineError } from '../../errors.js';
import { formatTableRef, type TableRef } from '../../table-ref.js';
import type { QueryRequest, QueryResult, Row, Warehouse } from '../warehouse.js';
import { assertWithinBytesLimit, estimatedBytes } from './bytes-estimate.js';
import { httpStatusOf, isConcurrentUpdate, toPipelineError } from './bigquery-errors.js';
import { createJobRunner, type JobSpec } from './bigquery-jobs.js';
import { cellText, columnOf, restParameters, restTypeOf, type RestField, type RestQueryParameter, type RestRow } from './bigquery-values.js';
import { baseJobId, jobLabels } from './job-identity.js';
import type { RetryPolicy } from './retry-policy.js';
import { SerialLanes } from '../../serial-lanes.js';
import { appendRowsStatement, replaceRowsScript, type WriteStatement } from './write-statements.js';

export interface BigQueryWarehouseOptions {
  client: BigQuery;
  retry: RetryPolicy;
  /** Jobs of this process running at once (queries and writes). */
  maxConcurrentJobs: number;
  /** Where jobs run (METRICS_BIGQUERY_LOCATION). */
  location?: string;
  /** Timeout of write jobs, which the port gives none: a stuck write must not hang the run. */
  writeTimeoutMs: number;
  /** Pause between two looks at a running job; default 500 ms. */
  pollIntervalMs?: number;
}

// Rows per getQueryResults page; metric queries return one row, lookups a few.
const PAGE_ROWS = 10_000;

/** The warehouse port on BigQuery (docs/contract.md#warehouses): jobs with fixed ids, dry runs, parameters, atomic writes. */
export function createBigQueryWarehouse(options: BigQueryWarehouseOptions): Warehouse {
  const { client, location } = options;
  const runner = createJobRunner({ client, retry: options.retry, location, pollIntervalMs: options.pollIntervalMs ?? 500 });
  const jobs = new PQueue({ concurrency: options.maxConcurrentJobs });
  // One lane per target table: BigQuery runs at most 2 mutating DML statements
  // per table at once and fails queued ones beyond 20; serializing here keeps a
  // busy run far from both, leaving the conflict retry for other processes.
  const tableLanes = new SerialLanes();
  // Not p-queue's own signal: it would reject at once and leave a job to be cancelled unobserved.
  const inQueue = <T>(fn: () => Promise<T>, signal?: AbortSignal) =>
    jobs.add(() => {
      signal?.throwIfAborted();
      return fn();
    }, { throwOnTimeout: true });

  const queryConfiguration = (sql: string, queryParameters: RestQueryParameter[], labels: Record<string, string>, timeoutMs: number) =>
    ({
      query: { query: sql, useLegacySql: false, parameterMode: 'NAMED', queryParameters },
      labels,
      jobTimeoutMs: String(timeoutMs),
    }) satisfies JobSpec['configuration'];

  /** A metric query's configuration: with the cost cap, when the request carries one. */
  const requestConfiguration = (request: QueryRequest): JobSpec['configuration'] => {
    const configuration = queryConfiguration(request.sql, restParameters(request.params), jobLabels(request.label), request.timeoutMs);
    const { maximumBytesBilled } = request;
    return maximumBytesBilled === undefined ? configuration : { ...configuration, query: { ...configuration.query, maximumBytesBilled } };
  };

  /** An interrupted run reports its own reason, not a SQL error. */
  const queryFailure = (error: unknown, signal?: AbortSignal) =>
    signal?.aborted && error === signal.reason ? error : toPipelineError(error, 'SQL_EXECUTION_ERROR');

  /**
   * The dry run is BigQuery's own parser enforcing the read-only rule: only a
   * statement it classes as SELECT is ever inserted as a job. Its estimate is
   * held against the job's maximumBytesBilled.
   */
  async function plan(configuration: JobSpec['configuration'], signal?: AbortSignal): Promise<JobMetadata> {
    const planned = await runner.dryRun(configuration, signal);
    const statementType = planned.statistics?.query?.statementType;
    if (statementType !== 'SELECT') {
      throw new PipelineError('SQL_EXECUTION_ERROR', `SQL rejected: BigQuery classes it as ${statementType ?? 'unknown'}, only SELECT may run`);
    }
    assertWithinBytesLimit(planned, configuration.query?.maximumBytesBilled ?? undefined);
    return planned;
  }

  async function readResults(job: Job, signal?: AbortSignal): Promise<Omit<QueryResult, 'bytesProcessed'>> {
    const raw: RestRow[] = [];
    let fields: RestField[];
    let pageToken: string | undefined;
    do {
      const page = { skipParsing: true, autoPaginate: false, maxResults: PAGE_ROWS, ...(pageToken ? { pageToken } : {}) };
      const [rows, , response] = await runner.callWithRetry(() => job.getQueryResults(page), signal);
      fields = (response?.schema?.fields ?? []) as RestField[];
      raw.push(...(rows as RestRow[]));
      pageToken = response?.pageToken ?? undefined;
    } while (pageToken);
    const columns = fields.map(columnOf);
    const rows = raw.map((row): Row => Object.fromEntries(columns.map((column, i) => [column.name, cellText(column, row.f[i]?.v)])));
    return { columns, rows };
  }

  async function runWrite(table: TableRef, kind: string, statement: () => WriteStatement): Promise<void> {
    const name = formatTableRef(table);
    try {
      const { sql, params } = statement();
      await tableLanes.run(name, () =>
        inQueue(() =>
          runner.run({
            baseJobId: baseJobId(kind, undefined),
            configuration: queryConfiguration(sql, params, jobLabels(), options.writeTimeoutMs),
            timeoutMs: options.writeTimeoutMs,
            retryFailure: isConcurrentUpdate,
          }),
        ),
      );
    } catch (error) {
      throw toPipelineError(error, 'BIGQUERY_WRITE_ERROR');
    }
  }

  const dataset = (table: TableRef) => client.dataset(table.dataset, { projectId: table.project });

  return {
    createsMissingTables: false,

    async query(request: QueryRequest): Promise<QueryResult> {
      const { sql, signal, timeoutMs, label } = request;
      const params = restParameters(request.params);
      const configuration = requestConfiguration(request);
      try {
        return await inQueue(async () => {
          const planned = await plan(configuration, signal);
          const spec = { baseJobId: baseJobId('query', [sql, params], label), configuration, timeoutMs, ...(signal ? { signal } : {}) };
          const { job } = await runner.run(spec);
          const bytes = estimatedBytes(planned);
          return { ...(await readResults(job, signal)), ...(bytes !== null ? { bytesProcessed: bytes } : {}) };
        }, signal);
      } catch (error) {
        throw queryFailure(error, signal);
      }
    },

    async dryRun(request: QueryRequest) {
      try {
        const planned = await inQueue(() => plan(requestConfiguration(request), request.signal), request.signal);
        return { bytesProcessed: estimatedBytes(planned) };
      } catch (error) {
        throw queryFailure(error, request.signal);
      }
    },

    async getTableSchema(table) {
      try {
        const response = await runner.callWithRetry(() => dataset(table).table(table.table).getMetadata());
        const metadata = response[0] as TableMetadata;
        return ((metadata.schema?.fields ?? []) as RestField[]).map(columnOf);
      } catch (error) {
        if (httpStatusOf(error) === 404) return undefined;
        throw toPipelineError(error, 'BIGQUERY_WRITE_ERROR');
      }
    },

    async createTable(table, columns) {
      const schema = { fields: columns.map((column) => ({ name: column.name, type: restTypeOf(column.type), mode: 'NULLABLE' })) };
      try {
        await runner.callWithRetry(() => dataset(table).createTable(table.table, { schema }));
      } catch (error) {
        // Someone (an earlier try of this call, another run) created it first: that is what was asked.
        if (httpStatusOf(error) !== 409) throw toPipelineError(error, 'BIGQUERY_WRITE_ERROR');
      }
    },

    async replaceRows(table, columns, rows, keyColumns) {
      if (rows.length === 0) return;
      await runWrite(table, 'replace', () => replaceRowsScript(table, columns, rows, keyColumns));
    },

    /**
     * A DML INSERT job rather than tabledata.insertAll streaming: one job is
     * all-or-none and its rows can be corrected by DML at once, whereas
     * streamed rows sit in the streaming buffer, where UPDATE and DELETE
     * cannot touch them for up to 30 minutes.
     */
    async appendRows(table, columns, rows) {
      if (rows.length === 0) return;
      await runWrite(table, 'append', () => appendRowsStatement(table, columns, rows));
    },

    async ping() {
      try {
        await runner.dryRun(queryConfiguration('SELECT 1', [], jobLabels(), 10_000));
      } catch (error) {
        throw toPipelineError(error, 'UNKNOWN_ERROR');
      }
    },

    async close() {
      await jobs.onIdle();
    },
  };
}
