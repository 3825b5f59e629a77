/**
 * The embedded default warehouse (docs/contract.md#warehouses): DuckDB files in a directory,
 * one per BigQuery project, queried with BigQuery SQL translated to DuckDB.
 */
import { DuckDBInstance, quotedIdentifier, type DuckDBConnection } from '@duckdb/node-api';
import type { TableRef } from '../../table-ref.js';
import type { Column, DryRunEstimate, QueryRequest, QueryResult, Row, Warehouse } from '../warehouse.js';
import { translateBigQuerySql } from './bigquery-to-duckdb.js';
import { ConnectionPool, warehouseClosedError } from './connection-pool.js';
import { setUpConnection } from './connection-setup.js';
import { dryRunReadOnlyQuery } from './dry-run-query.js';
import { duckDbTypeOf, portTypeOf } from './duckdb-cells.js';
import { asPipelineError } from './duckdb-errors.js';
import { ProjectCatalogs } from './project-catalogs.js';
import { QueryDeadline } from './query-deadline.js';
import { runReadOnlyQuery } from './read-only-query.js';
import { SerialLanes } from '../../serial-lanes.js';
import { appendRows, qualifiedName, replaceRows } from './table-writes.js';

export interface DuckDbWarehouseOptions {
  /** The warehouse directory; created if missing. */
  directory: string;
  /** Connections for concurrent queries (default 4). Writes have one more of their own. */
  connections?: number;
  /** The project `dataset.table` names resolve against; its file is created if missing. */
  defaultProject?: string;
}

export const DEFAULT_CONNECTIONS = 4;
/** Every write shares one lane: DuckDB would abort concurrent writers to one table. */
const WRITE_LANE = 'write';

export async function createDuckDbWarehouse(options: DuckDbWarehouseOptions): Promise<DuckDbWarehouse> {
  return DuckDbWarehouse.open(options);
}

export class DuckDbWarehouse implements Warehouse {
  readonly createsMissingTables = true;
  private readonly writes = new SerialLanes();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly catalogs: ProjectCatalogs,
    private readonly catalogConnection: DuckDBConnection,
    private readonly writer: DuckDBConnection,
    private readonly pool: ConnectionPool,
  ) {}

  static async open(options: DuckDbWarehouseOptions): Promise<DuckDbWarehouse> {
    const instance = await DuckDBInstance.create(':memory:');
    const opened: DuckDBConnection[] = [];
    try {
      const catalogConnection = await instance.connect();
      opened.push(catalogConnection);
      const catalogs = await ProjectCatalogs.open(options.directory, catalogConnection);
      if (options.defaultProject !== undefined) await catalogs.ensure(options.defaultProject, { create: true });
      const setUp = (connection: DuckDBConnection) => setUpConnection(connection, options.defaultProject);
      const writer = await instance.connect();
      opened.push(writer);
      await setUp(writer);
      const pool = await ConnectionPool.open(instance, options.connections ?? DEFAULT_CONNECTIONS, setUp);
      return new DuckDbWarehouse(instance, catalogs, catalogConnection, writer, pool);
    } catch (error) {
      for (const connection of opened) connection.closeSync();
      instance.closeSync();
      throw error;
    }
  }

  async query(request: QueryRequest): Promise<QueryResult> {
    return this.withQueryConnection(request, (connection, sql) => runReadOnlyQuery(connection, sql, request.params ?? {}));
  }

  /** Prepared and discarded, never executed; DuckDB cannot tell the bytes a query would read. */
  async dryRun(request: QueryRequest): Promise<DryRunEstimate> {
    await this.withQueryConnection(request, (connection, sql) => dryRunReadOnlyQuery(connection, sql, request.params ?? {}));
    return { bytesProcessed: null };
  }

  async getTableSchema(table: TableRef): Promise<Column[] | undefined> {
    this.assertOpen();
    if (!(await this.catalogs.ensure(table.project, { create: false }))) return undefined;
    const connection = await this.pool.acquire();
    try {
      const found = await connection.runAndReadAll(
        'SELECT 1 FROM duckdb_tables() WHERE database_name = $1 AND schema_name = $2 AND table_name = $3',
        [table.project, table.dataset, table.table],
      );
      if (found.currentRowCount === 0) return undefined;
      // Preparing (not running) a SELECT * gives DuckDB's own column types, mapped the same way as query results.
      const prepared = await connection.prepare(`SELECT * FROM ${qualifiedName(table)}`);
      try {
        return Array.from({ length: prepared.columnCount }, (_, i) => ({
          name: prepared.columnName(i),
          type: portTypeOf(prepared.columnType(i)),
        }));
      } finally {
        prepared.destroySync();
      }
    } finally {
      this.pool.release(connection);
    }
  }

  async createTable(table: TableRef, columns: Column[]): Promise<void> {
    this.assertOpen();
    const definitions = columns.map((column) => `${quotedIdentifier(column.name)} ${duckDbTypeOf(column.type)}`);
    const schema = [table.project, table.dataset].map(quotedIdentifier).join('.');
    await this.write(table, async () => {
      try {
        await this.writer.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await this.writer.run(`CREATE TABLE IF NOT EXISTS ${qualifiedName(table)} (${definitions.join(', ')})`);
      } catch (error) {
        throw asPipelineError(error, 'BIGQUERY_WRITE_ERROR');
      }
    });
  }

  async replaceRows(table: TableRef, columns: Column[], rows: Row[], keyColumns: string[]): Promise<void> {
    this.assertOpen();
    await this.write(table, () => replaceRows(this.writer, table, columns, rows, keyColumns));
  }

  async appendRows(table: TableRef, columns: Column[], rows: Row[]): Promise<void> {
    this.assertOpen();
    await this.write(table, () => appendRows(this.writer, table, columns, rows));
  }

  async ping(): Promise<void> {
    await this.query({ sql: 'SELECT 1', timeoutMs: 5_000 });
  }

  /**
   * Runs trusted setup SQL (BigQuery dialect, any statements, DDL and DML
   * included) on the write connection, creating the files of the projects it
   * names. For fixtures and demo data, never for metric SQL.
   */
  async runScript(bigQuerySql: string, projects: string[]): Promise<void> {
    this.assertOpen();
    const sql = translate(bigQuerySql);
    await this.writes.run(WRITE_LANE, async () => {
      for (const project of projects) await this.catalogs.ensure(project, { create: true });
      await this.writer.run(sql);
    });
  }

  /**
   * Interrupts running queries, lets started writes and attaches finish, then
   * closes everything; only then can the engine's threads let the process exit.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.pool.close();
      await this.writes.settled();
      await this.catalogs.settled();
      this.writer.closeSync();
      this.catalogConnection.closeSync();
      this.instance.closeSync();
    })();
    return this.closing;
  }

  /**
   * Runs `work` with the request's SQL translated, on a pooled connection with
   * the projects it names attached, interrupted at its deadline or abort.
   */
  private async withQueryConnection<T>(request: QueryRequest, work: (connection: DuckDBConnection, duckDbSql: string) => Promise<T>): Promise<T> {
    this.assertOpen();
    const sql = translate(request.sql);
    const deadline = new QueryDeadline(request.timeoutMs, request.signal);
    try {
      const connection = await this.pool.acquire(deadline.signal);
      const running = (async () => {
        await this.catalogs.attachNamedIn(request.sql);
        return work(connection, sql);
      })().finally(() => this.pool.release(connection));
      return await deadline.race(running, () => this.pool.interrupt(connection));
    } catch (error) {
      throw asPipelineError(error, 'SQL_EXECUTION_ERROR');
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Serializes the write and creates the project's file first: embedded mode
   * creates what is missing. Both happen in the write queue, so `close` waits for them.
   */
  private write(table: TableRef, work: () => Promise<void>): Promise<void> {
    return this.writes.run(WRITE_LANE, async () => {
      await this.catalogs.ensure(table.project, { create: true });
      await work();
    });
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw warehouseClosedError();
  }
}

function translate(bigQuerySql: string): string {
  try {
    return translateBigQuerySql(bigQuerySql);
  } catch (error) {
    throw asPipelineError(error, 'SQL_EXECUTION_ERROR');
  }
}
