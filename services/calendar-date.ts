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
