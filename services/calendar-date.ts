/** A calendar date's parts, as 'YYYY-MM-DD' names them. */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The parts of 'YYYY-MM-DD' naming a real calendar date (no 2023-02-29), else undefined. */
export function calendarDateParts(text: string): CalendarDate | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? { year, month, day } : undefined;
}

export function isCalendarDate(text: string): boolean {
  return calendarDateParts(text) !== undefined;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Days from `first` to `last`, both counted: 1 for the same date, 0 or less when `last` comes first. Both must be calendar dates. */
export function daysBetweenInclusive(first: string, last: string): number {
  return Math.round((Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / DAY_MS) + 1;
}

/** Every date from `first` to `last`, oldest first, both included (a backfill's dates). */
export function datesFrom(first: string, last: string): string[] {
  const start = Date.parse(`${first}T00:00:00Z`);
  return Array.from({ length: Math.max(0, daysBetweenInclusive(first, last)) }, (_, day) =>
    new Date(start + day * DAY_MS).toISOString().slice(0, 10),
  );
}
