import { PipelineError } from '../errors.js';
import type { TableRef } from '../table-ref.js';

/**
 * The warehouse port: everything the pipeline needs from a data warehouse.
 * The pipeline owns this interface; DuckDB (embedded) and BigQuery implement it,
 * and both must pass the same contract suite in test/services/warehouse/.
 *
 * Values cross this boundary as exact text, never as JavaScript numbers:
 * - STRING: as stored
 * - INT64, NUMERIC, BIGNUMERIC: plain decimal text without exponent ('-12.500000001')
 * - FLOAT64: decimal or exponent text, or 'NaN', 'Infinity', '-Infinity'
 * - BOOL: 'true' or 'false'
 * - DATE: 'YYYY-MM-DD'; DATETIME: 'YYYY-MM-DDTHH:MM:SS[.ffffff]'
 * - TIMESTAMP: 'YYYY-MM-DDTHH:MM:SS[.ffffff]Z' (UTC)
 * - NULL: null
 */
export type ColumnType =
  | 'STRING'
  | 'INT64'
  | 'NUMERIC'
  | 'BIGNUMERIC'
  | 'FLOAT64'
  | 'BOOL'
  | 'DATE'
  | 'DATETIME'
  | 'TIMESTAMP'
  | 'OTHER';

export interface Column {
  name: string;
  type: ColumnType;
}

export type Cell = string | null;
export type Row = Record<string, Cell>;

/** A query parameter, referenced in SQL as `@name`. */
export type QueryParameter = ScalarParameter | StringArrayParameter;

export interface ScalarParameter {
  type: 'STRING' | 'DATE' | 'INT64' | 'NUMERIC';
  value: Cell;
}

/**
 * A list of strings as ONE parameter, read in SQL as `(SELECT * FROM UNNEST(@name))`
 * (the form both warehouses parse): however long the list, it stays one of
 * BigQuery's 10,000 parameters per request.
 */
export interface StringArrayParameter {
  type: 'ARRAY<STRING>';
  values: string[];
}

export interface QueryRequest {
  /** BigQuery standard SQL; adapters translate it for their engine. */
  sql: string;
  params?: Record<string, QueryParameter>;
  /** Past this the query is interrupted (DuckDB) or its job cancelled (BigQuery): QueryTimeoutError. */
  timeoutMs: number;
  /**
   * Who asks, for job ids and cost labels. A BigQuery job id is derived from
   * it, so a retried request never runs the same query twice.
   */
  label?: { runId: string; metricId: string; env?: string };
  /** Aborting interrupts the query (shutdown). */
  signal?: AbortSignal;
  /**
   * The most bytes the query may bill (BigQuery's maximumBytesBilled, as
   * integer text). Over it the query fails with BytesBilledLimitError and is
   * never run. The embedded warehouse bills nothing and ignores it.
   */
  maximumBytesBilled?: string;
}

export interface QueryResult {
  columns: Column[];
  rows: Row[];
  /** Bytes the warehouse says the query scans, when it says (BigQuery dry run). */
  bytesProcessed?: string;
}

/** What a dry run learns of a query without running it. */
export interface DryRunEstimate {
  /**
   * Bytes the query would process, as integer text; null when the warehouse
   * cannot tell (always on DuckDB; on BigQuery when its estimate is unknown).
   * An unknown estimate is never 0.
   */
  bytesProcessed: string | null;
}

export interface Warehouse {
  /** Embedded mode creates missing target and recon tables (docs/contract.md#warehouses). */
  readonly createsMissingTables: boolean;

  /**
   * Runs one read-only query. Anything but a single SELECT/WITH statement is
   * rejected before it executes (SQL_EXECUTION_ERROR); so are engine errors,
   * with the warehouse's message kept.
   */
  query(request: QueryRequest): Promise<QueryResult>;

  /**
   * Checks one query exactly as `query` would (the read-only rule, parsing,
   * planning, parameters, the bytes limit) without running it: nothing is
   * read or written. Throws the same typed errors as `query`.
   */
  dryRun(request: QueryRequest): Promise<DryRunEstimate>;

  /**
   * The table's columns, or undefined when the table does not exist. Rejects
   * with ProjectUnavailableError when its project cannot hold tables here.
   */
  getTableSchema(table: TableRef): Promise<Column[] | undefined>;

  /** Creates the table with these columns if it does not exist. */
  createTable(table: TableRef, columns: Column[]): Promise<void>;

  /**
   * In ONE atomic operation: deletes the rows whose `keyColumns` values equal
   * those of any row in `rows`, and inserts `rows`. After any crash the table
   * holds the old rows or the new ones, never neither, never both.
   * `columns` are the table's columns to write, with the table's types.
   */
  replaceRows(table: TableRef, columns: Column[], rows: Row[], keyColumns: string[]): Promise<void>;

  /** Appends rows in one batch; all or none are written. */
  appendRows(table: TableRef, columns: Column[], rows: Row[]): Promise<void>;

  /** Resolves when the warehouse answers a trivial query (readiness). */
  ping(): Promise<void>;

  close(): Promise<void>;
}

/**
 * The table's project cannot be used in this warehouse: in embedded mode, a
 * project with no database file that may not be created, or a file that
 * cannot be opened. The message names the project, the file and why.
 */
export class ProjectUnavailableError extends PipelineError {
  override name = 'ProjectUnavailableError';
}
