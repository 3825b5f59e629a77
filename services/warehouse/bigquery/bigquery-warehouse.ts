import type { BigQuery, JobMetadata, TableMetadata } from '@google-cloud/bigquery';
import PQueue from 'p-queue';
import { PipelineError } from '../../errors.js';
import type { TableRef } from '../../table-ref.js';
import type { Column, DryRunEstimate, QueryRequest, QueryResult, Row, Warehouse } from '../warehouse.js';
import { BatchWriter } from './batch-writer.js';
import { assertWithinBytesLimit, estimatedBytes } from './bytes-estimate.js';
import { httpStatusOf, toPipelineError } from './bigquery-errors.js';
import { JobRunner, queryJobConfiguration, type CompletedJob, type JobConfiguration } from './bigquery-jobs.js';
import { createTableIfMissing, tableHandle } from './bigquery-tables.js';
import { cellText, columnOf, restParameters, type RestField, type RestRow } from './bigquery-values.js';
import { baseJobId, jobLabels } from './job-identity.js';
import type { RetryPolicy } from './retry-policy.js';

export interface BigQueryWarehouseOptions {
  client: BigQuery;
  retry: RetryPolicy;
  /** Jobs of this process running at once (queries and writes). */
  maxConcurrentJobs: number;
  /** Where jobs run (METRICS_BIGQUERY_LOCATION). */
  location?: string;
  /** Timeout of write jobs, which the port gives none: a stuck write must not hang the run. */
  writeTimeoutMs: number;
  /** Longest single wait for a running job (one long poll); default 10 s, BigQuery's own. */
  longPollMs?: number;
}

// Rows per getQueryResults page; metric queries return one row, lookups a few.
const PAGE_ROWS = 10_000;
const DEFAULT_LONG_POLL_MS = 10_000;
const PING_TIMEOUT_MS = 10_000;

/** The warehouse port on BigQuery (docs/contract.md#warehouses): jobs with fixed ids, dry runs, parameters, atomic writes. */
export class BigQueryWarehouse implements Warehouse {
  readonly createsMissingTables = false;
  private readonly client: BigQuery;
  private readonly runner: JobRunner;
  private readonly jobs: PQueue;
  private readonly writer: BatchWriter;

  constructor(options: BigQueryWarehouseOptions) {
    this.client = options.client;
    this.jobs = new PQueue({ concurrency: options.maxConcurrentJobs });
    this.runner = new JobRunner({
      client: options.client,
      retry: options.retry,
      ...(options.location !== undefined ? { location: options.location } : {}),
      longPollMs: options.longPollMs ?? DEFAULT_LONG_POLL_MS,
    });
    this.writer = new BatchWriter({
      client: options.client,
      runner: this.runner,
      inJobSlot: (work) => this.inJobSlot(work),
      writeTimeoutMs: options.writeTimeoutMs,
    });
  }

  async query(request: QueryRequest): Promise<QueryResult> {
    const { sql, signal, timeoutMs, label } = request;
    const configuration = this.requestConfiguration(request);
    const params = configuration.query?.queryParameters;
    try {
      return await this.inJobSlot(async () => {
        const planned = await this.plan(configuration, signal);
        const id = baseJobId('query', [sql, params], label);
        const completed = await this.runner.run({ baseJobId: id, configuration, timeoutMs, resultRows: PAGE_ROWS, ...(signal ? { signal } : {}) });
        const bytes = estimatedBytes(planned);
        return { ...(await this.readResults(completed, signal)), ...(bytes !== null ? { bytesProcessed: bytes } : {}) };
      }, signal);
    } catch (error) {
      throw queryFailure(error, signal);
    }
  }

  async dryRun(request: QueryRequest): Promise<DryRunEstimate> {
    try {
      const planned = await this.inJobSlot(() => this.plan(this.requestConfiguration(request), request.signal), request.signal);
      return { bytesProcessed: estimatedBytes(planned) };
    } catch (error) {
      throw queryFailure(error, request.signal);
    }
  }

  async getTableSchema(table: TableRef): Promise<Column[] | undefined> {
    try {
      const response = await this.runner.callWithRetry(() => tableHandle(this.client, table).getMetadata());
      const metadata = response[0] as TableMetadata;
      return ((metadata.schema?.fields ?? []) as RestField[]).map(columnOf);
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw toPipelineError(error, 'BIGQUERY_WRITE_ERROR');
    }
  }

  async createTable(table: TableRef, columns: Column[]): Promise<void> {
    try {
      await createTableIfMissing(this.client, this.runner, table, columns);
    } catch (error) {
      throw toPipelineError(error, 'BIGQUERY_WRITE_ERROR');
    }
  }

  async replaceRows(table: TableRef, columns: Column[], rows: Row[], keyColumns: string[]): Promise<void> {
    await this.writer.write({ table, columns, rows, keyColumns });
  }

  /**
   * DML jobs rather than tabledata.insertAll streaming: a job is all-or-none
   * and its rows can be corrected by DML at once, whereas streamed rows sit in
   * the streaming buffer, where UPDATE and DELETE cannot touch them for up to
   * 30 minutes.
   */
  async appendRows(table: TableRef, columns: Column[], rows: Row[]): Promise<void> {
    await this.writer.write({ table, columns, rows });
  }

  async ping(): Promise<void> {
    try {
      await this.runner.dryRun(queryJobConfiguration('SELECT 1', [], jobLabels(), PING_TIMEOUT_MS));
    } catch (error) {
      throw toPipelineError(error, 'UNKNOWN_ERROR');
    }
  }

  async close(): Promise<void> {
    await this.jobs.onIdle();
  }

  /** Not p-queue's own signal: it would reject at once and leave a job to be cancelled unobserved. */
  private inJobSlot<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.jobs.add(
      () => {
        signal?.throwIfAborted();
        return work();
      },
      { throwOnTimeout: true },
    );
  }

  /** A metric query's configuration: with the cost cap, when the request carries one. */
  private requestConfiguration(request: QueryRequest): JobConfiguration {
    const configuration = queryJobConfiguration(request.sql, restParameters(request.params), jobLabels(request.label), request.timeoutMs);
    const { maximumBytesBilled } = request;
    return maximumBytesBilled === undefined ? configuration : { ...configuration, query: { ...configuration.query, maximumBytesBilled } };
  }

  /**
   * The dry run is BigQuery's own parser enforcing the read-only rule: only a
   * statement it classes as SELECT is ever inserted as a job. Its estimate is
   * held against the job's maximumBytesBilled.
   */
  private async plan(configuration: JobConfiguration, signal?: AbortSignal): Promise<JobMetadata> {
    const planned = await this.runner.dryRun(configuration, signal);
    const statementType = planned.statistics?.query?.statementType;
    if (statementType !== 'SELECT') {
      throw new PipelineError('SQL_EXECUTION_ERROR', `SQL rejected: BigQuery classes it as ${statementType ?? 'unknown'}, only SELECT may run`);
    }
    assertWithinBytesLimit(planned, configuration.query?.maximumBytesBilled ?? undefined);
    return planned;
  }

  /** Every page of the results, starting from the one the wait for the job brought, if it did. */
  private async readResults({ jobId, firstPage }: CompletedJob, signal?: AbortSignal): Promise<Omit<QueryResult, 'bytesProcessed'>> {
    let page = firstPage ?? (await this.runner.resultsPage(jobId, PAGE_ROWS, undefined, signal));
    const fields = page.schema?.fields ?? [];
    const raw: RestRow[] = [...(page.rows ?? [])];
    while (page.pageToken) {
      page = await this.runner.resultsPage(jobId, PAGE_ROWS, page.pageToken, signal);
      raw.push(...(page.rows ?? []));
    }
    const columns = fields.map(columnOf);
    const rows = raw.map((row): Row => Object.fromEntries(columns.map((column, i) => [column.name, cellText(column, row.f[i]?.v)])));
    return { columns, rows };
  }
}

/** An interrupted run reports its own reason, not a SQL error. */
function queryFailure(error: unknown, signal?: AbortSignal): unknown {
  return signal?.aborted && error === signal.reason ? error : toPipelineError(error, 'SQL_EXECUTION_ERROR');
}
