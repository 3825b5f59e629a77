/**
 * BigQuery divides a NUMERIC by a NUMERIC (or an INT64) exactly, rounding the
 * quotient half away from zero to 9 decimals. DuckDB's own `/` has no DECIMAL
 * overload: it divides two DECIMALs as DOUBLEs, which keep about 16 digits,
 * so above about 10^6 the last decimals differ from BigQuery's.
 *
 * This adds the missing overload to DuckDB's `/` itself, for DECIMAL(38,9)
 * (the type NUMERIC translates to), so every division is chosen by DuckDB's
 * own binder on the operands' types: two DECIMALs, or a DECIMAL and an
 * integer (implicitly cast, as BigQuery coerces INT64 to NUMERIC), divide
 * exactly; anything with a DOUBLE, and two integers, keep DuckDB's overloads
 * (FLOAT64, as in BigQuery). A SQL rewrite could not choose: which operands
 * are DECIMALs is known only once the query is bound.
 *
 * The quotient is computed in JavaScript with BigInt on the scaled integers,
 * chunk by chunk on the main thread: exact at any size, and slower than a
 * native operator, which matters only for a division per row over very many rows.
 */
import { DECIMAL, DuckDBScalarFunction, decimalValue, type DuckDBConnection, type DuckDBDecimalValue } from '@duckdb/node-api';
import { NUMERIC_PRECISION, NUMERIC_SCALE } from '../../numeric.js';

const SCALE = 10n ** BigInt(NUMERIC_SCALE);
/** The first scaled value past NUMERIC(38,9): 10^29 once scaled by 10^9. */
const LIMIT = 10n ** BigInt(NUMERIC_PRECISION);
const NUMERIC = DECIMAL(NUMERIC_PRECISION, NUMERIC_SCALE);

/** Registers the overload; it is engine-wide, so once per engine, before the configuration is locked. */
export function registerExactNumericDivision(connection: DuckDBConnection): void {
  const division = DuckDBScalarFunction.create({
    name: '/',
    returnType: NUMERIC,
    parameterTypes: [NUMERIC, NUMERIC],
    mainFunction: (info, input, output) => {
      const dividends = input.getColumnVector(0);
      const divisors = input.getColumnVector(1);
      for (let row = 0; row < input.rowCount; row++) {
        const dividend = dividends.getItem(row) as DuckDBDecimalValue | null;
        const divisor = divisors.getItem(row) as DuckDBDecimalValue | null;
        const quotient = dividend === null || divisor === null ? null : exactQuotient(dividend, divisor);
        if (typeof quotient === 'string') return info.setError(quotient);
        output.setItem(row, quotient === null ? null : decimalValue(quotient, NUMERIC_PRECISION, NUMERIC_SCALE));
      }
      output.flush();
    },
  });
  connection.registerScalarFunction(division);
}

/**
 * dividend / divisor, both scaled by 10^9, as the quotient scaled by 10^9 and
 * rounded half away from zero; or why there is none, in BigQuery's words.
 */
function exactQuotient(dividend: DuckDBDecimalValue, divisor: DuckDBDecimalValue): bigint | string {
  if (divisor.value === 0n) return `division by zero: ${dividend.toString()} / ${divisor.toString()}`;
  const numerator = dividend.value * SCALE;
  let quotient = numerator / divisor.value;
  const remainder = numerator % divisor.value;
  if (2n * abs(remainder) >= abs(divisor.value)) quotient += numerator < 0n === divisor.value < 0n ? 1n : -1n;
  if (abs(quotient) >= LIMIT) return `numeric overflow: ${dividend.toString()} / ${divisor.toString()}`;
  return quotient;
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}
