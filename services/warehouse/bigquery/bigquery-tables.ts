import type { BigQuery } from '@google-cloud/bigquery';
import type { TableRef } from '../../table-ref.js';
import type { Column } from '../warehouse.js';
import { httpStatusOf } from './bigquery-errors.js';
import type { JobRunner } from './bigquery-jobs.js';
import { restTypeOf } from './bigquery-values.js';

/** The client's handle on a table, in the table's own project. */
export function tableHandle(client: BigQuery, table: TableRef) {
  return client.dataset(table.dataset, { projectId: table.project }).table(table.table);
}

/**
 * tables.insert with these columns, all NULLABLE. A 409 means someone (an
 * earlier try of this call, another run) created it first: that is what was asked.
 */
export async function createTableIfMissing(client: BigQuery, runner: JobRunner, table: TableRef, columns: Column[], expiresAt?: Date): Promise<void> {
  const schema = { fields: columns.map((column) => ({ name: column.name, type: restTypeOf(column.type), mode: 'NULLABLE' })) };
  const options = { schema, ...(expiresAt ? { expirationTime: String(expiresAt.getTime()) } : {}) };
  try {
    await runner.callWithRetry(() => client.dataset(table.dataset, { projectId: table.project }).createTable(table.table, options));
  } catch (error) {
    if (httpStatusOf(error) !== 409) throw error;
  }
}
