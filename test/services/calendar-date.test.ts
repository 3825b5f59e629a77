import t from 'tap';
import { datesFrom, daysBetweenInclusive } from '../../services/calendar-date.js';

t.test('datesFrom lists every date of a range, both ends included, across months and leap days', async (t) => {
  t.same(datesFrom('2024-02-27', '2024-03-01'), ['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
  t.same(datesFrom('2023-12-31', '2024-01-01'), ['2023-12-31', '2024-01-01']);
  t.same(datesFrom('2024-01-15', '2024-01-15'), ['2024-01-15']);
  t.same(datesFrom('2024-01-15', '2024-01-14'), [], 'a range that ends before it starts is empty');
  t.equal(datesFrom('2023-01-01', '2023-12-31').length, 365);
});

t.test('daysBetweenInclusive counts both ends', async (t) => {
  t.equal(daysBetweenInclusive('2024-01-15', '2024-01-15'), 1);
  t.equal(daysBetweenInclusive('2024-01-01', '2024-12-31'), 366);
  t.equal(daysBetweenInclusive('2024-01-15', '2024-01-14'), 0);
  // Daylight saving never matters: dates are UTC midnights.
  t.equal(daysBetweenInclusive('2024-03-30', '2024-04-01'), 3);
});
