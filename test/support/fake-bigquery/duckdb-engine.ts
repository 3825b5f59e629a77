import { DuckDBInstance, VARCHAR, quotedIdentifier, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import type { TableRef } from '../../../services/table-ref.js';
import { translateBigQuerySql } from '../../../services/warehouse/duckdb/bigquery-to-duckdb.js';
import { setUpConnection } from '../../../services/warehouse/duckdb/connection-setup.js';
import { cellText, duckDbTypeOf, portTypeOf } from '../../../services/warehouse/duckdb/duckdb-cells.js';
import type { Cell, Column, Row } from '../../../services/warehouse/warehouse.js';
import {
  assertionForDuckDb,
  castParameters,
  ddlForDuckDb,
  expandArrayParameters,
  splitStatements,
  statementTypeOf,
  transactionControlOf,
  type ArrayTable,
} from './bigquery-statements.js';
import { HttpError } from '../http-kit.js';

/** A query parameter as the REST API sends it: a scalar, an ARRAY of scalars, or an ARRAY of STRUCTs. */
export interface RestParameter {
  name?: string;
  parameterType: RestParameterType;
  parameterValue?: RestParameterValue;
}

interface RestParameterType {
  type: string;
  arrayType?: RestParameterType;
  structTypes?: Array<{ name: string; type: RestParameterType }>;
}

interface RestParameterValue {
  value?: string | null;
  arrayValues?: RestParameterValue[];
  structValues?: Record<string, RestParameterValue>;
}

export interface Execution {
  statementType: string;
  columns: Column[];
  rows: Row[];
  affectedRows: number;
}

/**
 * The fake's storage and compute: one in-memory DuckDB, a catalog per project,
 * a schema per dataset. BigQuery SQL runs through the shared translation
 * (translateBigQuerySql); a script's BEGIN/COMMIT/ROLLBACK TRANSACTION map to
 * a DuckDB transaction, rolled back when any statement fails, as BigQuery does.
 * DDL goes through ddlForDuckDb first (table options dropped, ALTER actions split).
 */
export class DuckDbEngine {
  private readonly projects = new Set<string>();
  /** Set-up connections waiting for work, per default project ('' for none). */
  private readonly idle = new Map<string, DuckDBConnection[]>();

  private constructor(private readonly instance: DuckDBInstance) {}

  static async create(): Promise<DuckDbEngine> {
    return new DuckDbEngine(await DuckDBInstance.create(':memory:'));
  }

  async ensureDataset(project: string, dataset: string): Promise<void> {
    await this.withConnection(undefined, async (connection) => {
      if (!this.projects.has(project)) {
        await connection.run(`ATTACH ':memory:' AS ${quotedIdentifier(project)}`);
        this.projects.add(project);
      }
      await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quotedIdentifier(project)}.${quotedIdentifier(dataset)}`);
    });
  }

  /** Runs DuckDB SQL as is (fixtures), with BigQuery's compat macros and UTC. */
  async runDuckDb(sql: string): Promise<void> {
    await this.withConnection(undefined, async (connection) => void (await connection.run(sql)));
  }

  /** Parses and binds without running: what a dry run checks. */
  async plan(sql: string, params: RestParameter[], project: string): Promise<{ statementType: string }> {
    const statementType = statementTypeOf(sql);
    if (statementType === 'SCRIPT') return { statementType };
    return this.withConnection(project, (connection) =>
      withArrayTables(connection, params, async (arrays) => {
        const prepared = await bigQueryErrors(() => connection.prepare(this.translate(sql, params, arrays)));
        prepared.destroySync();
        return { statementType };
      }),
    );
  }

  /** Runs a request's SQL; aborting `signal` interrupts DuckDB (jobs.cancel). */
  async execute(sql: string, params: RestParameter[], project: string, signal?: AbortSignal): Promise<Execution> {
    return this.withConnection(project, async (connection) => {
      // Repeated until the statement ends: an interrupt that lands before DuckDB starts executing is lost.
      let repeating: NodeJS.Timeout | undefined;
      const stopInterrupting = () => clearInterval(repeating);
      const interrupt = () => {
        connection.interrupt();
        repeating = setInterval(() => connection.interrupt(), 20);
      };
      signal?.addEventListener('abort', interrupt, { once: true });
      try {
        return await withArrayTables(connection, params, (arrays) => this.runScript(connection, sql, params, arrays, stopInterrupting));
      } finally {
        stopInterrupting();
        signal?.removeEventListener('abort', interrupt);
      }
    });
  }

  /**
   * A request's statements in turn; an open transaction is rolled back when
   * any fails, or when the script ends without COMMIT, once a cancel's
   * interrupts have stopped (`stopInterrupting`), lest they stop the ROLLBACK.
   */
  private async runScript(
    connection: DuckDBConnection,
    sql: string,
    params: RestParameter[],
    arrays: ReadonlyMap<string, ArrayTable>,
    stopInterrupting: () => void,
  ): Promise<Execution> {
    const statementType = statementTypeOf(sql);
    let last: Execution = { statementType, columns: [], rows: [], affectedRows: 0 };
    let inTransaction = false;
    try {
      for (const statement of splitStatements(sql)) {
        const control = transactionControlOf(statement);
        if (control !== undefined) {
          await connection.run(control === 'BEGIN' ? 'BEGIN TRANSACTION' : control);
          inTransaction = control === 'BEGIN';
          continue;
        }
        for (const part of ddlForDuckDb(assertionForDuckDb(statement) ?? statement)) {
          last = { statementType, ...(await this.runStatement(connection, this.translate(part, params, arrays), params)) };
        }
      }
      if (inTransaction) throw new HttpError(400, 'invalidQuery', 'Transaction was not committed before the script ended');
      return last;
    } catch (error) {
      stopInterrupting();
      if (inTransaction) await connection.run('ROLLBACK');
      throw error;
    }
  }

  async tableColumns(table: TableRef): Promise<Column[] | undefined> {
    if (!(await this.tableExists(table))) return undefined;
    return this.withConnection(undefined, async (connection) => {
      const reader = await connection.runAndReadAll(`SELECT * FROM ${qualified(table)} LIMIT 0`);
      const names = reader.columnNames();
      return reader.columnTypes().map((type, i) => ({ name: names[i] as string, type: portTypeOf(type) }));
    });
  }

  async createTable(table: TableRef, columns: Column[]): Promise<void> {
    const definitions = columns.map((column) => `${quotedIdentifier(column.name)} ${duckDbTypeOf(column.type)}`).join(', ');
    await this.withConnection(undefined, async (connection) => void (await connection.run(`CREATE TABLE ${qualified(table)} (${definitions})`)));
  }

  async dropTable(table: TableRef): Promise<void> {
    await this.withConnection(undefined, async (connection) => void (await connection.run(`DROP TABLE ${qualified(table)}`)));
  }

  async insertRows(table: TableRef, columns: Column[], rows: Row[]): Promise<void> {
    const names = columns.map((column) => quotedIdentifier(column.name)).join(', ');
    const values = columns.map((column, i) => `CAST($${i + 1} AS ${duckDbTypeOf(column.type)})`).join(', ');
    await this.withConnection(undefined, async (connection) => {
      const prepared = await connection.prepare(`INSERT INTO ${qualified(table)} (${names}) VALUES (${values})`);
      try {
        for (const row of rows) {
          columns.forEach((column, i) => prepared.bindValue(i + 1, row[column.name] ?? null, VARCHAR));
          await prepared.run();
        }
      } finally {
        prepared.destroySync();
      }
    });
  }

  async datasetExists(project: string, dataset: string): Promise<boolean> {
    return this.exists('SELECT 1 FROM duckdb_schemas() WHERE database_name = $1 AND schema_name = $2', [project, dataset]);
  }

  async tableExists(table: TableRef): Promise<boolean> {
    const sql = 'SELECT 1 FROM duckdb_tables() WHERE database_name = $1 AND schema_name = $2 AND table_name = $3';
    return this.exists(sql, [table.project, table.dataset, table.table]);
  }

  close(): void {
    for (const connection of [...this.idle.values()].flat()) connection.closeSync();
    this.instance.closeSync();
  }

  private async exists(sql: string, values: string[]): Promise<boolean> {
    return this.withConnection(undefined, async (connection) => (await connection.runAndReadAll(sql, values)).getRows().length > 0);
  }

  private translate(statement: string, params: RestParameter[], arrays: ReadonlyMap<string, ArrayTable>): string {
    const types = new Map(params.filter((param) => !isArray(param)).map((param) => [param.name ?? '', param.parameterType.type]));
    try {
      return translateBigQuerySql(castParameters(expandArrayParameters(statement, arrays), types));
    } catch (error) {
      throw new HttpError(400, 'invalidQuery', `Syntax error: ${(error as Error).message}`);
    }
  }

  private async runStatement(connection: DuckDBConnection, duckDbSql: string, params: RestParameter[]) {
    const prepared = await bigQueryErrors(() => connection.prepare(duckDbSql));
    try {
      bindText(prepared, params);
      const reader = await bigQueryErrors(() => prepared.runAndReadAll());
      const names = reader.columnNames();
      const columns = reader.columnTypes().map((type, i) => ({ name: names[i] as string, type: portTypeOf(type) }));
      const rows = reader.getRowObjectsJson().map((json): Row => Object.fromEntries(columns.map((c) => [c.name, cellText(c.type, json[c.name] ?? null)])));
      // DuckDB answers DML with one row holding the affected count.
      const affected = columns.length === 1 && columns[0]?.name === 'Count' ? Number(rows[0]?.['Count'] ?? 0) : 0;
      return { columns, rows, affectedRows: affected };
    } finally {
      prepared.destroySync();
    }
  }

  /**
   * Runs `work` on an idle connection set up for `project` (its macros, its
   * USE), made when none is idle: setting one up costs more than most
   * statements a test sends, and a 10,000-metric run sends 20,000.
   */
  private async withConnection<T>(project: string | undefined, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const key = project !== undefined && this.projects.has(project) ? project : '';
    const idle = this.idle.get(key) ?? [];
    this.idle.set(key, idle);
    let connection = idle.pop();
    if (connection === undefined) {
      connection = await this.instance.connect();
      await setUpConnection(connection, key === '' ? undefined : key);
    }
    try {
      return await work(connection);
    } finally {
      idle.push(connection);
    }
  }
}

function qualified(table: TableRef): string {
  return [table.project, table.dataset, table.table].map(quotedIdentifier).join('.');
}

const isArray = (param: RestParameter) => param.parameterType.type === 'ARRAY';

/** Runs `work` with the request's ARRAY parameters loaded (arrayTables), and drops them after: the connection serves other requests next. */
async function withArrayTables<T>(
  connection: DuckDBConnection,
  params: RestParameter[],
  work: (arrays: ReadonlyMap<string, ArrayTable>) => Promise<T>,
): Promise<T> {
  const arrays = await arrayTables(connection, params);
  try {
    return await work(arrays);
  } finally {
    for (const { table } of arrays.values()) await connection.run(`DROP TABLE IF EXISTS temp.main.${table}`);
  }
}

/**
 * Each ARRAY parameter's elements in a TEMP table of text columns (the
 * connection's own), filled by DuckDB's appender so a batch of 10,000 rows
 * loads at once; expandArrayParameters reads them back cast to the declared
 * types.
 */
async function arrayTables(connection: DuckDBConnection, params: RestParameter[]): Promise<Map<string, ArrayTable>> {
  const tables = new Map<string, ArrayTable>();
  for (const [index, param] of params.filter(isArray).entries()) {
    const element = param.parameterType.arrayType ?? { type: 'STRING' };
    const struct = element.structTypes?.map((field) => ({ name: field.name, type: field.type.type }));
    const fields = struct ?? [{ name: 'f0_', type: element.type }];
    const table = `__array_parameter_${index}`;
    await connection.run(`CREATE TEMP TABLE ${table} (${fields.map((field) => `${quotedIdentifier(field.name)} VARCHAR`).join(', ')})`);
    const appender = await connection.createAppender(table, 'main', 'temp');
    for (const value of param.parameterValue?.arrayValues ?? []) {
      const cells = struct ? fields.map((field) => value.structValues?.[field.name]?.value) : [value.value];
      for (const cell of cells) {
        if (cell === undefined || cell === null) appender.appendNull();
        else appender.appendVarchar(cell);
      }
      appender.endRow();
    }
    appender.closeSync();
    tables.set(param.name ?? '', { table, fields });
  }
  return tables;
}

/** Binds every scalar `$name` as text; castParameters made DuckDB cast each to its declared type. */
function bindText(prepared: DuckDBPreparedStatement, params: RestParameter[]): void {
  const scalars = params.filter((param) => !isArray(param));
  const values = new Map<string, Cell>(scalars.map((param) => [param.name ?? '', param.parameterValue?.value ?? null]));
  for (let index = 1; index <= prepared.parameterCount; index++) {
    const name = prepared.parameterName(index);
    if (!values.has(name)) throw new HttpError(400, 'invalidQuery', `Query parameter '${name}' not found`);
    prepared.bindValue(index, values.get(name) ?? null, VARCHAR);
  }
}

/** DuckDB's errors in BigQuery's words: missing objects are notFound, write-write conflicts abort the transaction. */
async function bigQueryErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HttpError) throw error;
    const message = (error as Error).message;
    if (/Catalog Error/.test(message) && /does not exist/.test(message)) throw new HttpError(404, 'notFound', `Not found: ${message}`);
    if (/Conflict/i.test(message)) throw new HttpError(400, 'invalidQuery', `Transaction is aborted due to concurrent update: ${message}`);
    throw new HttpError(400, 'invalidQuery', message);
  }
}
