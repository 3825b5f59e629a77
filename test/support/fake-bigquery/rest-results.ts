import type { Cell, Column, ColumnType, Row } from '../../../services/warehouse/warehouse.js';

// The REST API names types in their legacy spelling.
const REST_TYPES: Record<ColumnType, string> = {
  STRING: 'STRING',
  INT64: 'INTEGER',
  NUMERIC: 'NUMERIC',
  BIGNUMERIC: 'BIGNUMERIC',
  FLOAT64: 'FLOAT',
  BOOL: 'BOOLEAN',
  DATE: 'DATE',
  DATETIME: 'DATETIME',
  TIMESTAMP: 'TIMESTAMP',
  OTHER: 'STRING',
};

const PORT_TYPES: Record<string, ColumnType> = {
  ...Object.fromEntries(Object.entries(REST_TYPES).map(([port, rest]) => [rest, port as ColumnType])),
  INT64: 'INT64',
  FLOAT64: 'FLOAT64',
  BOOL: 'BOOL',
  STRING: 'STRING',
};

export interface RestField {
  name: string;
  type: string;
  mode: string;
}

export function restSchema(columns: Column[]): { fields: RestField[] } {
  return { fields: columns.map((column) => ({ name: column.name, type: REST_TYPES[column.type], mode: 'NULLABLE' })) };
}

/** A tables.insert schema field as a column the engine can create. */
export function columnOfField(field: { name: string; type: string }): Column {
  return { name: field.name, type: PORT_TYPES[field.type.toUpperCase()] ?? 'OTHER' };
}

/**
 * Rows in the REST shape: every value a string in `v`. TIMESTAMP is epoch
 * microseconds when the client asks formatOptions.useInt64Timestamp, else
 * BigQuery's legacy floating-point seconds ('1.7E9').
 */
export function restRows(columns: Column[], rows: Row[], int64Timestamps: boolean): Array<{ f: Array<{ v: Cell }> }> {
  return rows.map((row) => ({
    f: columns.map((column) => {
      const cell = row[column.name] ?? null;
      return { v: cell !== null && column.type === 'TIMESTAMP' ? timestampValue(cell, int64Timestamps) : cell };
    }),
  }));
}

/** The port's 'YYYY-MM-DDTHH:MM:SS[.ffffff]Z' as BigQuery sends it. */
function timestampValue(text: string, int64: boolean): string {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?Z$/.exec(text);
  if (!match) throw new Error(`Unexpected TIMESTAMP text ${text}`);
  const micros = BigInt(Date.parse(`${match[1]}Z`)) * 1000n + BigInt((match[2] ?? '').padEnd(6, '0'));
  if (int64) return micros.toString();
  const seconds = Number(micros) / 1e6;
  return seconds.toExponential().replace('e+', 'E');
}
