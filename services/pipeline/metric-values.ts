import { isCalendarDate } from '../calendar-date.js';
import type { Decimal } from 'decimal.js';
import { PipelineError } from '../errors.js';
import { Exact, NUMERIC_INTEGER_DIGITS, NUMERIC_SCALE } from '../numeric.js';
import type { Cell, Column, Row } from '../warehouse/warehouse.js';

/**
 * The values of a metric's one result row, as its target row stores them
 * (docs/contract.md#metric-execution, #target-rows).
 *
 * Numbers are canonical NUMERIC(38,9) text: plain decimal, no exponent, always
 * exactly 9 decimals ('12.500000000', '-0.000000001', '0.000000000'). One text
 * per value means equal values compare equal as strings in recon rows, tests
 * and reruns, and the text casts losslessly to NUMERIC on any warehouse.
 */
export interface MetricValues {
  metric_output: string | null;
  numerator_value: string | null;
  denominator_value: string | null;
  /** 'YYYY-MM-DD' */
  business_data_date: string;
  /** Conditions that pass but must be logged, e.g. a denominator below 0.0000001. */
  warnings: string[];
}

const NUMERIC_LIMIT = new Exact(`1e${NUMERIC_INTEGER_DIGITS}`);
const TINY_DENOMINATOR = new Exact('0.0000001');
// Stricter than decimal.js, which would also read hex, octal and binary literals.
const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TIMESTAMP_DATE = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
const DATETIME_DATE = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}:\d{2}(?:\.\d+)?$/;

/**
 * Applies the numeric and date rules of docs/contract.md#metric-execution to a metric query's result.
 * Throws PipelineError(DATA_QUALITY_ERROR) naming the column that breaks a rule.
 */
export function metricValues(columns: Column[], rows: Row[]): MetricValues {
  const [row] = rows;
  if (rows.length !== 1 || row === undefined) {
    throw dataQuality(`the metric SQL must return exactly one row, it returned ${rows.length}`);
  }

  const { metric_output: output, numerator_value: numerator, denominator_value: denominator, business_data_date: date } =
    requiredCells(columns, row);
  const values: MetricValues = {
    business_data_date: businessDate(date),
    metric_output: storedNumeric('metric_output', output.cell),
    numerator_value: storedNumeric('numerator_value', numerator.cell),
    denominator_value: storedNumeric('denominator_value', denominator.cell),
    warnings: [],
  };

  // Judged on the value the query returned, before rounding (docs/contract.md#judged-before-rounding):
  // 0.0000000004 is positive, though it is stored as 0.000000000.
  const divisor = returnedNumber('denominator_value', denominator.cell);
  if (divisor !== null) {
    const returned = `the query returned '${denominator.cell}'`;
    if (divisor.isZero()) throw dataQuality(`denominator_value is 0 (${returned}); it must be greater than 0`);
    if (divisor.isNegative()) throw dataQuality(`denominator_value is negative (${returned}); it must be greater than 0`);
    if (divisor.lt(TINY_DENOMINATOR)) {
      values.warnings.push(
        `denominator_value ${divisor.toFixed()} is below 0.0000001 (stored as ${values.denominator_value}); a ratio over it may be unstable`,
      );
    }
  }
  return values;
}

const REQUIRED = ['metric_output', 'numerator_value', 'denominator_value', 'business_data_date'] as const;
type RequiredColumn = (typeof REQUIRED)[number];

interface TypedCell {
  type: Column['type'];
  cell: Cell;
}

/** The required cells of the row, matched by column name in any case; extra columns are ignored. */
function requiredCells(columns: Column[], row: Row): Record<RequiredColumn, TypedCell> {
  const cells: Partial<Record<RequiredColumn, TypedCell>> = {};
  for (const name of REQUIRED) {
    // BigQuery and DuckDB both treat column names case-insensitively, so at most one column matches.
    const column = columns.find((candidate) => candidate.name.toLowerCase() === name);
    if (column) cells[name] = { type: column.type, cell: row[column.name] ?? null };
  }
  const missing = REQUIRED.filter((name) => cells[name] === undefined);
  if (missing.length > 0) {
    const present = columns.map((column) => column.name).join(', ') || 'none';
    throw dataQuality(`the result lacks the column(s) ${missing.join(', ')} (it has: ${present})`);
  }
  return cells as Record<RequiredColumn, TypedCell>;
}

function businessDate({ type, cell }: TypedCell): string {
  if (cell === null) throw dataQuality('business_data_date is NULL');
  const datePart =
    type === 'DATE' || type === 'STRING'
      ? cell
      : type === 'TIMESTAMP'
        ? TIMESTAMP_DATE.exec(cell)?.[1]
        : type === 'DATETIME'
          ? DATETIME_DATE.exec(cell)?.[1]
          : undefined;
  if (datePart === undefined || !isCalendarDate(datePart)) {
    throw dataQuality(
      `business_data_date must be a DATE, TIMESTAMP, DATETIME or a real calendar date as 'YYYY-MM-DD' text, got ${type} '${cell}'`,
    );
  }
  return datePart;
}

/** The number the query returned, exactly, or null for NULL. Any column type may hold the number as text. */
function returnedNumber(name: string, cell: Cell): Decimal | null {
  if (cell === null) return null;
  const text = cell.trim();
  if (/^[+-]?nan$/i.test(text)) throw dataQuality(`${name} is NaN, not a number`);
  if (/^[+-]?inf(?:inity)?$/i.test(text)) throw dataQuality(`${name} is ${text}, not a finite number`);
  if (!NUMBER_TEXT.test(text)) throw dataQuality(`${name} is not a number: '${cell}'`);
  return new Exact(text);
}

/** The cell as NUMERIC(38,9) stores it: rounded half away from zero to 9 decimals, as canonical text; null for NULL. */
function storedNumeric(name: string, cell: Cell): string | null {
  const rounded = returnedNumber(name, cell)?.toDecimalPlaces(NUMERIC_SCALE, Exact.ROUND_HALF_UP);
  if (rounded === undefined) return null;
  // Checked after rounding, which can only add digits: 99999999999999999999999999999.9999999995 rounds up into a 30th digit.
  // An exponent beyond decimal.js's range reads as Infinity, which fails this check too.
  if (rounded.abs().gte(NUMERIC_LIMIT)) {
    throw dataQuality(
      `${name} '${cell}' has more than ${NUMERIC_INTEGER_DIGITS} integer digits after rounding to ${NUMERIC_SCALE} decimals; NUMERIC(38,9) cannot hold it`,
    );
  }
  return rounded.toFixed(NUMERIC_SCALE);
}

function dataQuality(reason: string): PipelineError {
  return new PipelineError('DATA_QUALITY_ERROR', `Metric result rejected: ${reason}`);
}
