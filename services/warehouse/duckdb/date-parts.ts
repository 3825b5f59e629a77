/**
 * BigQuery date parts (the bare MONTH in DATE_TRUNC(d, MONTH), the WEEK in
 * EXTRACT(WEEK FROM d)) and how each function that takes one is spelled on
 * DuckDB. Where DuckDB's meaning differs, the part decides the macro:
 * BigQuery weeks start on Sunday (or the day WEEK(<day>) names), DuckDB's on
 * Monday; BigQuery DAYOFWEEK counts Sunday as 1, DuckDB as 0. Getting these
 * wrong would not fail, it would silently give other numbers.
 */

/** Macros the rewrites below call; created with the other compatibility macros. */
export const DATE_PART_MACROS: readonly string[] = [
  'CREATE OR REPLACE TEMP MACRO bq_date_trunc(d, part) AS CAST(date_trunc(part, CAST(d AS DATE)) AS DATE)',
  // first_day: 0 for Sunday ... 6 for Saturday, as DuckDB's dayofweek counts.
  'CREATE OR REPLACE TEMP MACRO bq_date_trunc_week(d, first_day) AS ' +
    'CAST(d AS DATE) - CAST((dayofweek(CAST(d AS DATE)) - first_day + 7) % 7 AS INTEGER)',
  'CREATE OR REPLACE TEMP MACRO bq_date_diff(a, b, part) AS date_diff(part, CAST(b AS DATE), CAST(a AS DATE))',
  'CREATE OR REPLACE TEMP MACRO bq_date_diff_week(a, b, first_day) AS ' +
    '(bq_date_trunc_week(a, first_day) - bq_date_trunc_week(b, first_day)) // 7',
  // Week 0 holds the days before the year's first first_day, as in BigQuery.
  'CREATE OR REPLACE TEMP MACRO bq_week_of_year(first_day, d) AS ' +
    '(dayofyear(CAST(d AS DATE)) - (dayofweek(CAST(d AS DATE)) - first_day + 7) % 7 + 6) // 7',
  'CREATE OR REPLACE TEMP MACRO bq_day_of_week(d) AS dayofweek(CAST(d AS DATE)) + 1',
];

const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

/** A date part as written: its name, and for WEEK(<day>) the day weeks start on. */
export interface DatePart {
  name: string;
  weekday?: string;
}

/** How a call taking a date part is rewritten: the function's new name, and the part's new text. */
export interface DatePartRewrite {
  functionName: string;
  partText: string;
}

/** The functions whose date part argument is rewritten, and where that argument stands. */
export const DATE_PART_FUNCTIONS: Readonly<Record<string, 'first' | 'last'>> = {
  DATE_TRUNC: 'last',
  DATE_DIFF: 'last',
  EXTRACT: 'first',
};

/** Parts DuckDB's date_trunc and date_diff take by the same name and count the same way. */
const TRUNCATABLE_PARTS = new Set(['DAY', 'MONTH', 'QUARTER', 'YEAR', 'ISOYEAR']);

/** The first day of the weeks a WEEK-like part counts, or undefined for other parts. */
function weekStart(part: DatePart): number | undefined {
  if (part.name === 'ISOWEEK') return 1;
  if (part.name !== 'WEEK') return undefined;
  if (part.weekday === undefined) return 0;
  const day = WEEKDAYS.indexOf(part.weekday);
  return day === -1 ? undefined : day;
}

/**
 * The rewrite of `functionName` called with `part`, or undefined to leave the
 * call as written (DuckDB already means the same, or the part is unknown).
 */
export function rewriteDatePartCall(functionName: string, part: DatePart): DatePartRewrite | undefined {
  const firstDay = weekStart(part);
  if (functionName === 'EXTRACT') {
    if (part.name === 'DAYOFWEEK') return { functionName: 'bq_day_of_week', partText: '' };
    if (part.name === 'ISOWEEK') return { functionName: 'EXTRACT', partText: 'week' };
    if (firstDay !== undefined) return { functionName: 'bq_week_of_year', partText: String(firstDay) };
    return undefined;
  }
  const macro = functionName === 'DATE_TRUNC' ? 'bq_date_trunc' : 'bq_date_diff';
  if (firstDay !== undefined) return { functionName: `${macro}_week`, partText: String(firstDay) };
  if (TRUNCATABLE_PARTS.has(part.name)) return { functionName: macro, partText: `'${part.name.toLowerCase()}'` };
  return undefined;
}
