/**
 * The embedded default warehouse (docs/contract.md#warehouses): DuckDB files in a directory,
 * one per BigQuery project, queried with BigQuery SQL translated to DuckDB.
 *
 * One engine (DuckDBInstance) for queries and writes. A second engine on the
 * same files would be the cleanest wall between metric queries and writes,
 * but DuckDB cannot guard a file opened by two engines of one process: its
 * file locks are per process on POSIX, and only engines sharing one instance
 * cache know of each other's files (duckdb/duckdb#18857), so two engines
 * writing one file can corrupt it. Instead, writes run on a connection of
 * their own, and nothing a metric can run reaches engine-wide state: metric
 * SQL passes the function allow-list before it binds (metric-sql-policy.ts),
 * and the engine's configuration is locked once set up (engine-lockdown.ts).
 */
import { DuckDBInstance, quotedIdentifier, type DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from 'pino';
import type { TableRef } from '../../table-ref.js';
import type { Column, DryRunEstimate, QueryRequest, QueryResult, Row, Warehouse } from '../warehouse.js';
import { translateBigQuerySql } from './bigquery-to-duckdb.js';
import { ConnectionPool, warehouseClosedError } from './connection-pool.js';
import { setUpConnection } from './connection-setup.js';
import { dryRunReadOnlyQuery } from './dry-run-query.js';
import { duckDbTypeOf, portTypeOf } from './duckdb-cells.js';
import { asPipelineError } from './duckdb-errors.js';
import { confineEngine, lockEngine } from './engine-lockdown.js';
import { MetricSqlPolicy } from './metric-sql-policy.js';
import { registerExactNumericDivision } from './numeric-division.js';
import { ProjectCatalogs } from './project-catalogs.js';
import { QueryDeadline } from './query-deadline.js';
import { runReadOnlyQuery } from './read-only-query.js';
import { SerialLanes } from '../../serial-lanes.js';
import { settleAll } from '../../settle-all.js';
import { appendRows, qualifiedName, replaceRows } from './table-writes.js';

export interface DuckDbWarehouseOptions {
  /** The warehouse directory; created if missing. */
  directory: string;
  /** Connections for concurrent queries (default 4). Writes have one more of their own. */
  connections?: number;
  /**
   * Writes may create the file of a project that has none (default false):
   * otherwise a table in an unknown project fails, so a typo in a run
   * parameter never creates a database.
   */
  createProjects?: boolean;
  /** Project catalogs nobody uses that stay attached (default 8); the least recently used beyond are detached. */
  maxIdleCatalogs?: number;
  /** Hears of warehouse files skipped at open. */
  logger?: Pick<Logger, 'warn'>;
}

export const DEFAULT_CONNECTIONS = 4;
const DEFAULT_MAX_IDLE_CATALOGS = 8;
/** Every write shares one lane: DuckDB would abort concurrent writers to one table. */
const WRITE_LANE = 'write';

export async function createDuckDbWarehouse(options: DuckDbWarehouseOptions): Promise<DuckDbWarehouse> {
  return DuckDbWarehouse.open(options);
}

/** What an open warehouse holds. */
interface Engine {
  instance: DuckDBInstance;
  /** Attaches and detaches project files; set the engine up and locked it. */
  catalogConnection: DuckDBConnection;
  writer: DuckDBConnection;
  pool: ConnectionPool;
  catalogs: ProjectCatalogs;
  policy: MetricSqlPolicy;
}

export class DuckDbWarehouse implements Warehouse {
  readonly createsMissingTables = true;
  private readonly writes = new SerialLanes();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly engine: Engine,
    private readonly createProjects: boolean,
  ) {}

  /**
   * Sets the engine up (file confinement, exact NUMERIC division, connections
   * with the compatibility macros, the function allow-list, the project
   * files already there), then locks its configuration.
   */
  static async open(options: DuckDbWarehouseOptions): Promise<DuckDbWarehouse> {
    const instance = await DuckDBInstance.create(':memory:');
    const opened: DuckDBConnection[] = [];
    const connect = async () => {
      const connection = await instance.connect();
      opened.push(connection);
      return connection;
    };
    try {
      const catalogConnection = await connect();
      const directory = await confineEngine(catalogConnection, options.directory);
      registerExactNumericDivision(catalogConnection);
      const connectSetUp = async () => {
        const connection = await connect();
        await setUpConnection(connection);
        return connection;
      };
      // Once files are confined, the rest is independent work on separate connections: DuckDB does it side by side.
      const writing = connectSetUp();
      const [writer, policy, catalogs, pooled] = await settleAll([
        writing,
        writing.then((writer) => MetricSqlPolicy.load(writer)),
        ProjectCatalogs.open(catalogConnection, {
          directory,
          createProjects: options.createProjects ?? false,
          maxIdle: options.maxIdleCatalogs ?? DEFAULT_MAX_IDLE_CATALOGS,
          onSkipped: (file, reason) => options.logger?.warn({ file, reason }, 'warehouse file skipped: not a usable DuckDB database'),
        }),
        settleAll(Array.from({ length: options.connections ?? DEFAULT_CONNECTIONS }, connectSetUp)),
      ]);
      await lockEngine(catalogConnection);
      return new DuckDbWarehouse({ instance, catalogConnection, writer, pool: new ConnectionPool(pooled), catalogs, policy }, options.createProjects ?? false);
    } catch (error) {
      for (const connection of opened) connection.closeSync();
      instance.closeSync();
      throw error;
    }
  }

  async query(request: QueryRequest): Promise<QueryResult> {
    return this.withQueryConnection(request, (connection, sql) => runReadOnlyQuery(connection, sql, request.params ?? {}));
  }

  /** Checked and prepared, never executed; DuckDB cannot tell the bytes a query would read. */
  async dryRun(request: QueryRequest): Promise<DryRunEstimate> {
    await this.withQueryConnection(request, (connection, sql) => dryRunReadOnlyQuery(connection, sql, request.params ?? {}));
    return { bytesProcessed: null };
  }

  async getTableSchema(table: TableRef): Promise<Column[] | undefined> {
    this.assertOpen();
    const { catalogs, pool } = this.engine;
    // A project that writes may still create holds no table yet; one that they may not is an error naming it.
    if (this.createProjects && !(await catalogs.exists(table.project))) return undefined;
    const release = await catalogs.lease([table.project], { create: false, category: 'SQL_EXECUTION_ERROR' });
    try {
      const connection = await pool.acquire();
      try {
        return await columnsOf(connection, table);
      } finally {
        pool.release(connection);
      }
    } finally {
      release();
    }
  }

  async createTable(table: TableRef, columns: Column[]): Promise<void> {
    this.assertOpen();
    const definitions = columns.map((column) => `${quotedIdentifier(column.name)} ${duckDbTypeOf(column.type)}`);
    const schema = [table.project, table.dataset].map(quotedIdentifier).join('.');
    await this.write(table, async (writer) => {
      try {
        await writer.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await writer.run(`CREATE TABLE IF NOT EXISTS ${qualifiedName(table)} (${definitions.join(', ')})`);
      } catch (error) {
        throw asPipelineError(error, 'BIGQUERY_WRITE_ERROR');
      }
    });
  }

  async replaceRows(table: TableRef, columns: Column[], rows: Row[], keyColumns: string[]): Promise<void> {
    this.assertOpen();
    await this.write(table, (writer) => replaceRows(writer, table, columns, rows, keyColumns));
  }

  async appendRows(table: TableRef, columns: Column[], rows: Row[]): Promise<void> {
    this.assertOpen();
    await this.write(table, (writer) => appendRows(writer, table, columns, rows));
  }

  async ping(): Promise<void> {
    await this.query({ sql: 'SELECT 1', timeoutMs: 5_000 });
  }

  /**
   * Interrupts running queries, lets started writes and attaches finish, then
   * closes everything; only then can the engine's threads let the process exit.
   */
  close(): Promise<void> {
    const { instance, catalogConnection, writer, pool, catalogs } = this.engine;
    this.closing ??= (async () => {
      await pool.close();
      await this.writes.settled();
      await catalogs.settled();
      writer.closeSync();
      catalogConnection.closeSync();
      instance.closeSync();
    })();
    return this.closing;
  }

  /** `work` once the SQL passed the metric SQL policy, with the projects it names attached meanwhile. */
  private async checked<T>(connection: DuckDBConnection, sql: string, work: () => Promise<T>): Promise<T> {
    const { projects } = await this.engine.policy.check(connection, sql);
    const release = await this.engine.catalogs.lease(projects, { create: false, category: 'SQL_EXECUTION_ERROR' });
    try {
      return await work();
    } finally {
      release();
    }
  }

  /**
   * Runs `work` with the request's SQL translated and held to the metric SQL
   * policy, on a pooled connection with the projects it names attached,
   * interrupted at its deadline or abort.
   */
  private async withQueryConnection<T>(request: QueryRequest, work: (connection: DuckDBConnection, duckDbSql: string) => Promise<T>): Promise<T> {
    this.assertOpen();
    const sql = translate(request.sql);
    const deadline = new QueryDeadline(request.timeoutMs, request.signal);
    const { pool } = this.engine;
    try {
      const connection = await pool.acquire(deadline.signal);
      const running = this.checked(connection, sql, () => work(connection, sql)).finally(() => pool.release(connection));
      return await deadline.race(running, () => pool.interrupt(connection));
    } catch (error) {
      throw asPipelineError(error, 'SQL_EXECUTION_ERROR');
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Serializes the write and attaches the table's project first, creating its
   * file where creating projects is on. Both happen in the write queue, so
   * `close` waits for them.
   */
  private write(table: TableRef, work: (writer: DuckDBConnection) => Promise<void>): Promise<void> {
    return this.writes.run(WRITE_LANE, async () => {
      const release = await this.engine.catalogs.lease([table.project], { create: true, category: 'BIGQUERY_WRITE_ERROR' });
      try {
        await work(this.engine.writer);
      } finally {
        release();
      }
    });
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw warehouseClosedError();
  }
}

/** The table's columns as the port types them, or undefined when it does not exist. */
async function columnsOf(connection: DuckDBConnection, table: TableRef): Promise<Column[] | undefined> {
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
}

function translate(bigQuerySql: string): string {
  try {
    return translateBigQuerySql(bigQuerySql);
  } catch (error) {
    throw asPipelineError(error, 'SQL_EXECUTION_ERROR');
  }
}
