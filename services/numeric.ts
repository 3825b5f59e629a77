import { Decimal } from 'decimal.js';

/**
 * BigQuery NUMERIC, which every metric value is stored as: NUMERIC(38,9),
 * that is 29 integer digits and 9 decimals, rounded half away from zero.
 */
export const NUMERIC_PRECISION = 38;
export const NUMERIC_SCALE = 9;
export const NUMERIC_INTEGER_DIGITS = NUMERIC_PRECISION - NUMERIC_SCALE;

/** Exact decimals for metric values, rounding half away from zero as NUMERIC does; a clone, so no other module's config leaks in. */
export const Exact = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP });

/** A number's text ('1e+21', '12.50') as plain decimal text without exponent or trailing zeros ('1000000000000000000000', '12.5'). */
export function decimalText(text: string): string {
  return new Exact(text).toFixed();
}
