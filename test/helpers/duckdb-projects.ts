import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, quotedIdentifier, quotedString } from '@duckdb/node-api';
import { parseTableRef } from '../../services/table-ref.js';
import { translateBigQuerySql } from '../../services/warehouse/duckdb/bigquery-to-duckdb.js';
import { createDuckDbWarehouse } from '../../services/warehouse/duckdb/duckdb-warehouse.js';

/**
 * Writes project files into a warehouse directory BEFORE a DuckDbWarehouse
 * opens it: fixtures that go straight to DuckDB, outside the port under test
 * (tables the port cannot create, CHECK constraints that make writes fail).
 * Each project gets its file, empty or built by its statements: BigQuery SQL
 * naming `project.dataset.table`, through the adapter's own translation.
 * Never on a project file a warehouse has open: two engines on one file in
 * one process can corrupt it.
 */
export async function prepareProjects(directory: string, projects: Record<string, readonly string[]>): Promise<void> {
  await mkdir(directory, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const [project, statements] of Object.entries(projects)) {
      await connection.run(`ATTACH ${quotedString(join(directory, `${project}.duckdb`))} AS ${quotedIdentifier(project)}`);
      for (const sql of statements) await connection.run(translateBigQuerySql(sql));
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Which of `tables` (project.dataset.table) exist in the warehouse directory: [] proves a run wrote nothing. */
export async function existingTables(directory: string, tables: readonly string[]): Promise<string[]> {
  const warehouse = await createDuckDbWarehouse({ directory });
  try {
    const found = await Promise.all(tables.map(async (name) => ((await warehouse.getTableSchema(parseTableRef(name))) ? [name] : [])));
    return found.flat();
  } finally {
    await warehouse.close();
  }
}
