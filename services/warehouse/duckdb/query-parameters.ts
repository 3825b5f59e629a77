import { Decimal } from 'decimal.js';
import {
  BIGINT,
  DATE,
  DECIMAL,
  LIST,
  VARCHAR,
  dateValue,
  decimalValue,
  listValue,
  type DuckDBPreparedStatement,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { calendarDateParts, type CalendarDate } from '../../calendar-date.js';
import { PipelineError } from '../../errors.js';
import { NUMERIC_INTEGER_DIGITS, NUMERIC_PRECISION, NUMERIC_SCALE } from '../../numeric.js';
import type { QueryParameter, ScalarParameter } from '../warehouse.js';

const TYPES: Record<QueryParameter['type'], DuckDBType> = {
  STRING: VARCHAR,
  DATE: DATE,
  INT64: BIGINT,
  NUMERIC: DECIMAL(NUMERIC_PRECISION, NUMERIC_SCALE),
  'ARRAY<STRING>': LIST(VARCHAR),
};

/**
 * Binds the `$name` parameters the statement uses, typed as the port says, so
 * `@d` compares as a DATE and a STRING value is data whatever text it holds.
 */
export function bindQueryParameters(prepared: DuckDBPreparedStatement, params: Record<string, QueryParameter>): void {
  for (let index = 1; index <= prepared.parameterCount; index++) {
    const name = prepared.parameterName(index);
    const param = params[name];
    if (param === undefined) throw invalid(`Query parameter @${name} has no value`);
    prepared.bindValue(index, boundValue(name, param), TYPES[param.type]);
  }
}

function boundValue(name: string, param: QueryParameter): DuckDBValue {
  if (param.type === 'ARRAY<STRING>') return listValue(param.values);
  return param.value === null ? null : duckDbValue(name, param.type, param.value);
}

function duckDbValue(name: string, type: ScalarParameter['type'], text: string): DuckDBValue {
  switch (type) {
    case 'STRING':
      return text;
    case 'INT64':
      if (!/^-?\d+$/.test(text)) throw invalid(`Query parameter @${name} is not an INT64: '${text}'`);
      return BigInt(text);
    case 'DATE':
      return dateValue(dateParts(name, text));
    case 'NUMERIC':
      return decimalValue(scaledNumeric(name, text), NUMERIC_PRECISION, NUMERIC_SCALE);
  }
}

function dateParts(name: string, text: string): CalendarDate {
  const parts = calendarDateParts(text);
  if (parts === undefined) throw invalid(`Query parameter @${name} is not a DATE 'YYYY-MM-DD': '${text}'`);
  return parts;
}

/** The NUMERIC as an integer count of 10^-9, rounded half away from zero as BigQuery does. */
function scaledNumeric(name: string, text: string): bigint {
  let value: Decimal;
  try {
    value = new Decimal(text);
  } catch {
    throw invalid(`Query parameter @${name} is not a NUMERIC: '${text}'`);
  }
  // toFixed is exact at any size; Decimal arithmetic would round to 20 significant digits.
  const fixed = value.isFinite() ? value.toFixed(NUMERIC_SCALE, Decimal.ROUND_HALF_UP) : '';
  const integerDigits = fixed.replace('-', '').split('.')[0] ?? '';
  if (fixed === '' || integerDigits.length > NUMERIC_INTEGER_DIGITS) {
    throw invalid(`Query parameter @${name} does not fit NUMERIC: '${text}'`);
  }
  return BigInt(fixed.replace('.', ''));
}

function invalid(message: string): PipelineError {
  return new PipelineError('SQL_EXECUTION_ERROR', message);
}
