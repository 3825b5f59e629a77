/**
 * BigQuery NUMERIC, which every metric value is stored as: NUMERIC(38,9),
 * that is 29 integer digits and 9 decimals, rounded half away from zero.
 */
export const NUMERIC_PRECISION = 38;
export const NUMERIC_SCALE = 9;
export const NUMERIC_INTEGER_DIGITS = NUMERIC_PRECISION - NUMERIC_SCALE;
