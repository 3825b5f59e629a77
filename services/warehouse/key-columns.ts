import { PipelineError } from '../errors.js';
import type { Column } from './warehouse.js';

/** The written columns that form the overwrite key, in key order; a key missing from them is a write error. */
export function keyColumnsOf(columns: Column[], keyColumns: string[]): Column[] {
  return keyColumns.map((name) => {
    const column = columns.find((candidate) => candidate.name === name);
    if (column === undefined) throw new PipelineError('BIGQUERY_WRITE_ERROR', `Key column ${name} is not among the columns written`);
    return column;
  });
}
