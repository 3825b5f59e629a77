import type { TableRef } from '../services/table-ref.js';
import type { Column, DryRunEstimate, QueryRequest, QueryResult, Row, Warehouse } from '../services/warehouse/warehouse.js';

/**
 * A warehouse that is still opening, handed to the HTTP app so the app is
 * built on the main thread while DuckDB opens on its own threads, not after:
 * a shorter cold start. Every call waits for the open and goes to the opened
 * warehouse. The server listens only once the open has succeeded, so no
 * request ever waits here.
 */
export class OpeningWarehouse implements Warehouse {
  #opened: Warehouse | undefined;

  constructor(private readonly opening: Promise<Warehouse>) {
    // Failures are the opener's to report; here they reach each call that waited.
    opening.then((warehouse) => (this.#opened = warehouse)).catch(() => undefined);
  }

  /** Read only by runs, which start after the open: before it, reading it is a wiring mistake. */
  get createsMissingTables(): boolean {
    if (this.#opened === undefined) throw new Error('The warehouse was used before it opened');
    return this.#opened.createsMissingTables;
  }

  async query(request: QueryRequest): Promise<QueryResult> {
    return (await this.opening).query(request);
  }

  async dryRun(request: QueryRequest): Promise<DryRunEstimate> {
    return (await this.opening).dryRun(request);
  }

  async getTableSchema(table: TableRef): Promise<Column[] | undefined> {
    return (await this.opening).getTableSchema(table);
  }

  async createTable(table: TableRef, columns: Column[]): Promise<void> {
    return (await this.opening).createTable(table, columns);
  }

  async replaceRows(table: TableRef, columns: Column[], rows: Row[], keyColumns: string[]): Promise<void> {
    return (await this.opening).replaceRows(table, columns, rows, keyColumns);
  }

  async appendRows(table: TableRef, columns: Column[], rows: Row[]): Promise<void> {
    return (await this.opening).appendRows(table, columns, rows);
  }

  async ping(): Promise<void> {
    return (await this.opening).ping();
  }

  async close(): Promise<void> {
    return (await this.opening).close();
  }
}
