import { Decimal } from 'decimal.js';
import type { Cell, Column, ColumnType, QueryParameter } from '../warehouse.js';

/** A column as the REST API describes it (schema.fields). */
export interface RestField {
  name: string;
  type: string;
  mode?: string;
  fields?: RestField[];
}

/** A row as the REST API sends it: every scalar as a string in `v`. */
export interface RestRow {
  f: Array<{ v: unknown }>;
}

/** One page of jobs.getQueryResults. */
export interface RestQueryResults {
  jobComplete?: boolean;
  schema?: { fields?: RestField[] };
  rows?: RestRow[];
  pageToken?: string;
}

/** A query parameter in the REST shape: a scalar, an ARRAY of them, or an ARRAY of STRUCTs. */
export interface RestQueryParameter {
  name: string;
  parameterType: RestParameterType;
  parameterValue: RestParameterValue;
}

export interface RestParameterType {
  type: string;
  arrayType?: RestParameterType;
  structTypes?: Array<{ name: string; type: RestParameterType }>;
}

export interface RestParameterValue {
  value?: string;
  arrayValues?: RestParameterValue[];
  structValues?: Record<string, RestParameterValue>;
}

// The REST API still answers with the legacy names (INTEGER, FLOAT, BOOLEAN).
const TYPE_NAMES: Record<string, ColumnType> = {
  STRING: 'STRING',
  INTEGER: 'INT64',
  INT64: 'INT64',
  NUMERIC: 'NUMERIC',
  BIGNUMERIC: 'BIGNUMERIC',
  FLOAT: 'FLOAT64',
  FLOAT64: 'FLOAT64',
  BOOLEAN: 'BOOL',
  BOOL: 'BOOL',
  DATE: 'DATE',
  DATETIME: 'DATETIME',
  TIMESTAMP: 'TIMESTAMP',
};

export function columnOf(field: RestField): Column {
  const scalar = field.mode === 'REPEATED' ? undefined : TYPE_NAMES[field.type.toUpperCase()];
  return { name: field.name, type: scalar ?? 'OTHER' };
}

/** The REST type a column of the port is written as; OTHER travels as text. */
export function restTypeOf(type: ColumnType): string {
  return type === 'OTHER' ? 'STRING' : type;
}

/**
 * One REST cell as the port's exact text (warehouse.ts). The raw strings are
 * used as they come, so INT64 beyond 2^53 and NUMERIC keep every digit; only
 * TIMESTAMP needs work, from epoch microseconds (or legacy float seconds).
 */
export function cellText(column: Column, raw: unknown): Cell {
  if (raw === null || raw === undefined) return null;
  if (column.type === 'OTHER') return typeof raw === 'string' ? raw : JSON.stringify(raw);
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  if (column.type === 'TIMESTAMP') return timestampText(text);
  return column.type === 'DATETIME' ? datetimeText(text) : text;
}

/** 'YYYY-MM-DDTHH:MM:SS[.ffffff]': BigQuery may send fewer fraction digits, or a space. */
function datetimeText(raw: string): string {
  const match = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?$/.exec(raw);
  if (!match) return raw;
  const fraction = (match[3] ?? '').padEnd(6, '0');
  return `${match[1]}T${match[2]}${/^0+$/.test(fraction) ? '' : `.${fraction}`}`;
}

function timestampText(raw: string): string {
  const micros = /^-?\d+$/.test(raw) ? BigInt(raw) : BigInt(new Decimal(raw).times(1_000_000).toFixed(0));
  const fraction = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const seconds = (micros - fraction) / 1_000_000n;
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return fraction === 0n ? `${whole}Z` : `${whole}.${fraction.toString().padStart(6, '0')}Z`;
}

/** A scalar's value in the REST shape: every value travels as a string, NULL as no value. */
export function restValue(value: Cell): RestParameterValue {
  return value === null ? {} : { value };
}

export function restParameters(params: Record<string, QueryParameter> = {}): RestQueryParameter[] {
  return Object.entries(params).map(([name, param]) =>
    param.type === 'ARRAY<STRING>'
      ? { name, parameterType: { type: 'ARRAY', arrayType: { type: 'STRING' } }, parameterValue: { arrayValues: param.values.map(restValue) } }
      : { name, parameterType: { type: param.type }, parameterValue: restValue(param.value) },
  );
}
