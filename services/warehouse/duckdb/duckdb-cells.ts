/**
 * DuckDB types and values ↔ the port's column types and exact cell text
 * (warehouse.ts). Values are read with getRowObjectsJson, which gives DECIMAL,
 * BIGINT and wider integers as exact strings, so no digit ever passes through
 * a JavaScript number.
 *
 * Type decisions: TIMESTAMP WITH TIME ZONE is an instant, as BigQuery
 * TIMESTAMP is, so it maps to TIMESTAMP; plain DuckDB TIMESTAMP is wall-clock
 * time and maps to DATETIME (createTable makes DATETIME a plain TIMESTAMP, so
 * the schema round-trips).
 */
import { DuckDBTypeId, type DuckDBType, type Json } from '@duckdb/node-api';
import { PipelineError } from '../../errors.js';
import type { Cell, ColumnType } from '../warehouse.js';
import { DUCKDB_NUMERIC } from './bigquery-to-duckdb.js';

const PORT_TYPES: Partial<Record<DuckDBTypeId, ColumnType>> = {
  [DuckDBTypeId.VARCHAR]: 'STRING',
  [DuckDBTypeId.TINYINT]: 'INT64',
  [DuckDBTypeId.SMALLINT]: 'INT64',
  [DuckDBTypeId.INTEGER]: 'INT64',
  [DuckDBTypeId.BIGINT]: 'INT64',
  [DuckDBTypeId.HUGEINT]: 'INT64',
  [DuckDBTypeId.UTINYINT]: 'INT64',
  [DuckDBTypeId.USMALLINT]: 'INT64',
  [DuckDBTypeId.UINTEGER]: 'INT64',
  [DuckDBTypeId.UBIGINT]: 'INT64',
  [DuckDBTypeId.UHUGEINT]: 'INT64',
  [DuckDBTypeId.DECIMAL]: 'NUMERIC',
  [DuckDBTypeId.FLOAT]: 'FLOAT64',
  [DuckDBTypeId.DOUBLE]: 'FLOAT64',
  [DuckDBTypeId.BOOLEAN]: 'BOOL',
  [DuckDBTypeId.DATE]: 'DATE',
  [DuckDBTypeId.TIMESTAMP]: 'DATETIME',
  [DuckDBTypeId.TIMESTAMP_S]: 'DATETIME',
  [DuckDBTypeId.TIMESTAMP_MS]: 'DATETIME',
  [DuckDBTypeId.TIMESTAMP_NS]: 'DATETIME',
  [DuckDBTypeId.TIMESTAMP_TZ]: 'TIMESTAMP',
};

const DUCKDB_TYPES: Record<Exclude<ColumnType, 'OTHER'>, string> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  NUMERIC: DUCKDB_NUMERIC,
  BIGNUMERIC: DUCKDB_NUMERIC,
  FLOAT64: 'DOUBLE',
  BOOL: 'BOOLEAN',
  DATE: 'DATE',
  DATETIME: 'TIMESTAMP',
  TIMESTAMP: 'TIMESTAMPTZ',
};

/** DuckDB prints timestamps as 'YYYY-MM-DD HH:MM:SS[.fraction][+00]'. */
const DUCKDB_TIMESTAMP = /^(-?\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?(\+00)?$/;

export function portTypeOf(type: DuckDBType): ColumnType {
  return PORT_TYPES[type.typeId] ?? 'OTHER';
}

/** The DuckDB column type a port column is created with. */
export function duckDbTypeOf(type: ColumnType): string {
  if (type === 'OTHER') throw new PipelineError('BIGQUERY_WRITE_ERROR', 'A column of type OTHER cannot be created or written');
  return DUCKDB_TYPES[type];
}

/** One getRowObjectsJson value as the port's exact text for a column of `type`. */
export function cellText(type: ColumnType, value: Json): Cell {
  if (value === null) return null;
  switch (type) {
    case 'DATETIME':
    case 'TIMESTAMP':
      return timestampText(jsonText(value));
    case 'NUMERIC':
      return minimalDecimal(jsonText(value));
    default:
      // Strings stay as they are (exact DECIMAL/BIGINT digits, 'NaN', dates);
      // DOUBLE and small integers arrive as numbers, whose shortest round-trip
      // text is exact; booleans print as 'true'/'false'; lists and structs as JSON.
      return jsonText(value);
  }
}

function jsonText(value: Json): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * DuckDB prints a DECIMAL with every digit of its scale ('10.500000000');
 * BigQuery prints NUMERIC without trailing zeros ('10.5'), and both adapters
 * must give the same text.
 */
function minimalDecimal(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** 'YYYY-MM-DDTHH:MM:SS[.ffffff]' plus 'Z' for instants; infinities pass through as DuckDB prints them. */
function timestampText(text: string): string {
  const match = DUCKDB_TIMESTAMP.exec(text);
  if (!match) return text;
  const [, date, time, fraction = '', utc] = match;
  const micros = fraction.padEnd(6, '0').slice(0, 6);
  const seconds = `${date}T${time}${/^0*$/.test(micros) ? '' : `.${micros}`}`;
  return utc === undefined ? seconds : `${seconds}Z`;
}
