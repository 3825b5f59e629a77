import t from 'tap';
import { PipelineError } from '../../../services/errors.js';
import type { ToleranceRule } from '../../../services/pipeline/metric-config.js';
import { breachText, checkTolerance, judgeTolerance } from '../../../services/pipeline/tolerance.js';

const previous = (pct = '10', severity: ToleranceRule['severity'] = 'warn'): ToleranceRule => ({ pct, baseline: 'previous', values: 1, severity });
const average = (values: number, pct = '10'): ToleranceRule => ({ pct, baseline: `avg_${values}`, values, severity: 'warn' });

t.test('previous: the change against the latest earlier value, in percent', async (t) => {
  t.same(checkTolerance(previous(), '105.000000000', ['100.000000000', '1.000000000']), {
    baseline: '100.000000000',
    change_pct: '5',
    limit_pct: '10',
    outcome: 'Passed',
  });
});

t.test('a change equal to the limit passes; the least bit more fails', async (t) => {
  t.match(checkTolerance(previous(), '110.000000000', ['100']), { change_pct: '10', outcome: 'Passed' });
  t.match(checkTolerance(previous(), '89.999999999', ['100']), { change_pct: '10.000000001', outcome: 'Failed' });
});

t.test('the change is rounded away from zero, so a breach never reads as equal to the limit', async (t) => {
  // 0.000000001 / 3 * 100 = 0.0000000333...%: over a limit of 0.00000003, printed above it.
  t.match(checkTolerance(previous('0.00000003'), '3.000000001', ['3']), { change_pct: '0.000000034', outcome: 'Failed' });
});

t.test('the change is measured against the absolute baseline, so a negative baseline works', async (t) => {
  t.match(checkTolerance(previous('25'), '-125.000000000', ['-100.000000000']), { baseline: '-100.000000000', change_pct: '25', outcome: 'Passed' });
  t.match(checkTolerance(previous('25'), '25', ['-100']), { change_pct: '125', outcome: 'Failed' });
});

t.test('avg_N: the mean of the N latest earlier values, exactly, shown at 9 decimals', async (t) => {
  t.match(checkTolerance(average(3), '100', ['90', '100', '110', '1000']), { baseline: '100.000000000', change_pct: '0', outcome: 'Passed' });
  t.match(checkTolerance(average(3), '1', ['1', '1', '2']), { baseline: '1.333333333', change_pct: '25', outcome: 'Failed' });
});

t.test('avg_N with fewer than N earlier values is NA, with no baseline', async (t) => {
  t.same(checkTolerance(average(3), '100', ['100', '100']), { baseline: null, change_pct: null, limit_pct: '10', outcome: 'NA' });
});

t.test('no earlier value at all is NA: no baseline yet', async (t) => {
  t.same(checkTolerance(previous(), '100', []), { baseline: null, change_pct: null, limit_pct: '10', outcome: 'NA' });
});

t.test('a NULL among the baseline values is NA', async (t) => {
  t.match(checkTolerance(previous(), '100', [null, '100']), { baseline: null, outcome: 'NA' });
  t.match(checkTolerance(average(2), '100', ['100', null]), { baseline: null, outcome: 'NA' });
});

t.test('a NULL metric_output is NA, with its baseline', async (t) => {
  t.same(checkTolerance(previous(), null, ['100']), { baseline: '100.000000000', change_pct: null, limit_pct: '10', outcome: 'NA' });
});

t.test('a zero baseline is NA: a percent of zero is undefined', async (t) => {
  t.same(checkTolerance(previous(), '5', ['0.000000000']), { baseline: '0.000000000', change_pct: null, limit_pct: '10', outcome: 'NA' });
});

t.test('a stored value that is not a finite number counts as NULL', async (t) => {
  for (const stored of ['NaN', 'Infinity', 'abc']) t.match(checkTolerance(previous(), '1', [stored]), { outcome: 'NA' }, stored);
});

t.test('warn: a breach is flagged and never fails the metric', async (t) => {
  const judgement = judgeTolerance(previous(), '200', ['100']);
  t.match(judgement.check, { outcome: 'Failed', change_pct: '100' });
  t.equal(judgement.failure, undefined);
});

t.test('error: a breach fails the metric with DATA_QUALITY_ERROR, naming baseline, change and limit', async (t) => {
  const { failure } = judgeTolerance(previous('10', 'error'), '200', ['100']);
  t.match(failure, {
    category: 'DATA_QUALITY_ERROR',
    message: 'Tolerance breached: baseline 100.000000000, change 100%, limit 10%; tolerance_severity is error, so the metric was not written',
  });
  t.equal(judgeTolerance(previous('10', 'error'), '105', ['100']).failure, undefined, 'a pass does not fail');
});

t.test('history that could not be read is NA; with severity error the metric fails with the read\'s category', async (t) => {
  const unreadable = new PipelineError('SQL_EXECUTION_ERROR', 'Reading p.d.t failed: boom');
  t.same(judgeTolerance(previous(), '1', unreadable), { check: { baseline: null, change_pct: null, limit_pct: '10', outcome: 'NA' } });
  t.match(judgeTolerance(previous('10', 'error'), '1', unreadable).failure, {
    category: 'SQL_EXECUTION_ERROR',
    message: /^Tolerance baseline could not be read, so the metric was not written \(tolerance_severity error\): Reading p\.d\.t failed: boom$/,
  });
});

t.test('a breach reads with its baseline, change and limit', async (t) => {
  t.equal(
    breachText({ baseline: '100.000000000', change_pct: '12.5', limit_pct: '10', outcome: 'Failed' }),
    'Tolerance breached: baseline 100.000000000, change 12.5%, limit 10%',
  );
});
