import { Decimal } from 'decimal.js';
import type { Cell, Column, ColumnType, Row } from '../warehouse/warehouse.js';

const Exact = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_UP });
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class SchemaAlignmentError extends Error {
  override name = 'SchemaAlignmentError';
}

/**
 * Fits rows to a table's schema (docs/contract.md#target-rows): columns the table lacks are
 * dropped, values are cast to the table's types. Names match
 * case-insensitively, as BigQuery column names do; the table's spelling wins.
 */
export function alignRows(columns: Column[], rows: Row[], tableColumns: Column[]): { columns: Column[]; rows: Row[] } {
  const byName = new Map(tableColumns.map((column) => [column.name.toLowerCase(), column]));
  const kept = columns.flatMap((column) => {
    const target = byName.get(column.name.toLowerCase());
    return target ? [{ source: column, target }] : [];
  });
  return {
    columns: kept.map(({ target }) => target),
    rows: rows.map((row) =>
      Object.fromEntries(kept.map(({ source, target }) => [target.name, castCell(row[source.name] ?? null, source.type, target)])),
    ),
  };
}

/** Casts one exact-text cell between port types, as BigQuery's CAST would. */
export function castCell(value: Cell, from: ColumnType, to: Column): Cell {
  if (value === null || from === to.type || to.type === 'STRING') return value;
  const fail = (): never => {
    throw new SchemaAlignmentError(`Column ${to.name} is ${to.type}: cannot store ${from} value '${value}'`);
  };
  switch (to.type) {
    case 'NUMERIC':
    case 'BIGNUMERIC':
    case 'FLOAT64':
      return decimalOf(value)?.toFixed() ?? fail();
    case 'INT64':
      return decimalOf(value)?.toDecimalPlaces(0).toFixed() ?? fail();
    case 'DATE':
      return DATE.test(value.slice(0, 10)) ? value.slice(0, 10) : fail();
    case 'TIMESTAMP':
      if (DATE.test(value)) return `${value}T00:00:00Z`;
      return from === 'DATETIME' ? `${value}Z` : fail();
    case 'DATETIME':
      if (DATE.test(value)) return `${value}T00:00:00`;
      return from === 'TIMESTAMP' ? value.replace(/Z$/, '') : fail();
    default:
      return fail();
  }
}

function decimalOf(text: string): Decimal | undefined {
  try {
    const value = new Exact(text.trim());
    return value.isFinite() ? value : undefined;
  } catch {
    return undefined;
  }
}
