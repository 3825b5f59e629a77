import t from 'tap';
import { TARGET_COLUMNS } from '../../../services/pipeline/target-rows.js';
import { metric, pipelineFixture, RECON, resultSql, RUN_DATE, TARGET } from '../../helpers/pipeline-fixture.js';

type Fixture = Awaited<ReturnType<typeof pipelineFixture>>;

/** A metric whose SQL returns `output`, checked with tolerance_pct 10 and these tolerance fields. */
const checked = (id: string, output: string, tolerance: Record<string, unknown> = {}) =>
  metric(id, resultSql(output), { tolerance_pct: 10, ...tolerance });

/** Target rows of metric `id` at earlier dates, as runs of those dates would have left them. */
async function history(fx: Fixture, id: string, outputs: [date: string, output: string | null][]) {
  const rows = outputs.map(([partition_dt, metric_output]) => ({ metric_id: id, metric_name: id, metric_type: 'count', metric_output, partition_dt }));
  await fx.seedTable(TARGET, TARGET_COLUMNS, rows);
}

/** The recon row of `id` written by the run `runId`. */
async function reconOf(fx: Fixture, runId: string, id = 'm1') {
  return (await fx.rows(RECON)).find((row) => row.run_id === runId && row.source_system_id === id);
}

t.test('previous: a change within the limit passes; recon and result carry the check', async (t) => {
  const fx = await pipelineFixture(t);
  await history(fx, 'm1', [['2024-01-14', '100']]);
  const result = await fx.run(fx.writeConfig([checked('m1', '105')]));
  t.same(result.metrics[0]?.tolerance, { baseline: '100.000000000', change_pct: '5', limit_pct: '10', outcome: 'Passed' });
  t.match(await reconOf(fx, result.run_id), {
    clcltn_ds: 'Success',
    excldd_reason_tx: 'Metric data was successfully written.',
    tolrnc_pc: '10',
    rcncln_tolrnc_pass_in: 'Passed',
  });
});

t.test('previous is the latest earlier partition_dt, not an older one', async (t) => {
  const fx = await pipelineFixture(t);
  await history(fx, 'm1', [['2024-01-10', '50'], ['2024-01-14', '100']]);
  const result = await fx.run(fx.writeConfig([checked('m1', '105')]));
  t.equal(result.metrics[0]?.tolerance?.baseline, '100.000000000');
});

t.test('avg_N: the mean of the N latest earlier values', async (t) => {
  const fx = await pipelineFixture(t);
  const tolerance = { tolerance_baseline: 'avg_3' };
  await history(fx, 'm1', [['2024-01-11', '1000'], ['2024-01-12', '90'], ['2024-01-13', '100'], ['2024-01-14', '110']]);
  const result = await fx.run(fx.writeConfig([checked('m1', '108', tolerance)]));
  t.same(result.metrics[0]?.tolerance, { baseline: '100.000000000', change_pct: '8', limit_pct: '10', outcome: 'Passed' });
});

t.test('avg_N with fewer than N earlier values is NA, with the configured percent kept', async (t) => {
  const fx = await pipelineFixture(t);
  const tolerance = { tolerance_baseline: 'avg_3', tolerance_pct: 12.5 };
  await history(fx, 'm1', [['2024-01-13', '100'], ['2024-01-14', '100']]);
  const result = await fx.run(fx.writeConfig([checked('m1', '500', tolerance)]));
  t.same(result.metrics[0]?.tolerance, { baseline: null, change_pct: null, limit_pct: '12.5', outcome: 'NA' });
  t.match(await reconOf(fx, result.run_id), { tolrnc_pc: '12.5', rcncln_tolrnc_pass_in: 'NA', clcltn_ds: 'Success' });
});

t.test('warn: a breach writes the row as usual and flags it in the reason, the recon row and the result', async (t) => {
  const fx = await pipelineFixture(t);
  await history(fx, 'm1', [['2024-01-14', '100']]);
  const result = await fx.run(fx.writeConfig([checked('m1', '200'), metric('plain', resultSql('7'))]));
  t.equal(result.status, 'succeeded');
  const reason = 'Metric data was successfully written. Tolerance breached: baseline 100.000000000, change 100%, limit 10%';
  t.match(result.metrics[0], { status: 'Passed', reason, tolerance: { outcome: 'Failed', change_pct: '100' } });
  t.match(await reconOf(fx, result.run_id), { clcltn_ds: 'Success', excldd_reason_tx: reason, tolrnc_pc: '10', rcncln_tolrnc_pass_in: 'Failed' });
  t.match(await reconOf(fx, result.run_id, 'plain'), { tolrnc_pc: 'NA', rcncln_tolrnc_pass_in: 'NA' }, 'no tolerance_pct: both NA');
  const written = (await fx.rows(TARGET, 'partition_dt')).filter((row) => row.metric_id === 'm1');
  t.same(written.map((row) => [row.partition_dt, row.metric_output]), [['2024-01-14', '100'], [RUN_DATE, '200']]);
});

t.test('error: a breach fails the metric with DATA_QUALITY_ERROR and writes no row; the others are written', async (t) => {
  const fx = await pipelineFixture(t);
  await history(fx, 'm1', [['2024-01-14', '100']]);
  const result = await fx.run(fx.writeConfig([checked('m1', '200', { tolerance_severity: 'error' }), metric('plain', resultSql('7'))]));
  t.equal(result.status, 'partial');
  t.match(result.metrics[0], {
    status: 'Failed',
    error_category: 'DATA_QUALITY_ERROR',
    reason: 'Tolerance breached: baseline 100.000000000, change 100%, limit 10%; tolerance_severity is error, so the metric was not written',
    tolerance: { outcome: 'Failed' },
  });
  t.match(await reconOf(fx, result.run_id), { clcltn_ds: 'Failed', error_category: 'DATA_QUALITY_ERROR', tolrnc_pc: '10', rcncln_tolrnc_pass_in: 'Failed' });
  const today = (await fx.rows(TARGET, 'metric_id')).filter((row) => row.partition_dt === RUN_DATE);
  t.same(today.map((row) => row.metric_id), ['plain']);
});

t.test('error: a breach on a rerun leaves the older row of that date in place', async (t) => {
  const fx = await pipelineFixture(t);
  await history(fx, 'm1', [['2024-01-14', '100'], [RUN_DATE, '105']]);
  const rerun = await fx.run(fx.writeConfig([checked('m1', '500', { tolerance_severity: 'error' })]));
  t.equal(rerun.metrics[0]?.error_category, 'DATA_QUALITY_ERROR');
  const rows = await fx.rows(TARGET, 'partition_dt');
  t.same(rows.map((row) => [row.partition_dt, row.metric_output, row.run_id === rerun.run_id]), [
    ['2024-01-14', '100', false],
    [RUN_DATE, '105', false],
  ]);
});

t.test('NA: no baseline yet, as on the first run, when the target table does not exist', async (t) => {
  const fx = await pipelineFixture(t);
  const result = await fx.run(fx.writeConfig([checked('m1', '100', { tolerance_severity: 'error' })]));
  t.match(result.metrics[0], { status: 'Passed', tolerance: { baseline: null, limit_pct: '10', outcome: 'NA' } });
  t.same((await fx.rows(TARGET)).map((row) => row.metric_output), ['100']);
});

t.test('NA: no earlier value of this metric_id, while others have history', async (t) => {
  const fx = await pipelineFixture(t);
  await history(fx, 'other', [['2024-01-14', '100']]);
  const result = await fx.run(fx.writeConfig([checked('m1', '100')]));
  t.match(result.metrics[0]?.tolerance, { baseline: null, outcome: 'NA' });
});

t.test('NA: a NULL metric_output today, or a NULL baseline', async (t) => {
  const fx = await pipelineFixture(t);
  await history(fx, 'm1', [['2024-01-14', '100']]);
  const today = await fx.run(fx.writeConfig([checked('m1', 'NULL', { tolerance_severity: 'error' })]));
  t.match(today.metrics[0], { status: 'Passed', tolerance: { baseline: '100.000000000', change_pct: null, outcome: 'NA' } });
  const next = await fx.run(fx.writeConfig([checked('m1', '100', { tolerance_severity: 'error' })]), { run_date: '2024-01-16' });
  t.match(next.metrics[0], { status: 'Passed', tolerance: { baseline: null, outcome: 'NA' } });
});

t.test('NA: a zero baseline, where a percent is undefined', async (t) => {
  const fx = await pipelineFixture(t);
  await history(fx, 'm1', [['2024-01-14', '0']]);
  const result = await fx.run(fx.writeConfig([checked('m1', '5', { tolerance_severity: 'error' })]));
  t.match(result.metrics[0], { status: 'Passed', tolerance: { baseline: '0.000000000', change_pct: null, outcome: 'NA' } });
});

t.test('NA: a metric that failed before it could be judged keeps its configured percent', async (t) => {
  const fx = await pipelineFixture(t);
  const result = await fx.run(fx.writeConfig([metric('m1', resultSql('1', '1', '0'), { tolerance_pct: 3 })]));
  t.match(result.metrics[0], { error_category: 'DATA_QUALITY_ERROR', tolerance: { limit_pct: '3', outcome: 'NA' } });
  t.match(await reconOf(fx, result.run_id), { tolrnc_pc: '3', rcncln_tolrnc_pass_in: 'NA' });
});

t.test('backfills and reruns compare against earlier dates only, never the date written or later ones', async (t) => {
  const fx = await pipelineFixture(t);
  const tolerance = (date: string, output: string) => fx.run(fx.writeConfig([checked('m1', output)]), { run_date: date });
  await tolerance('2024-01-15', '100');
  const first = await tolerance('2024-01-13', '300');
  t.match(first.metrics[0]?.tolerance, { baseline: null, outcome: 'NA' }, '2024-01-15 is later: no baseline');
  const middle = await tolerance('2024-01-14', '110');
  t.match(middle.metrics[0]?.tolerance, { baseline: '300.000000000', change_pct: '63.333333334', outcome: 'Failed' }, 'against 2024-01-13');
  const rerun = await tolerance('2024-01-15', '100');
  t.match(rerun.metrics[0]?.tolerance, { baseline: '110.000000000', change_pct: '9.090909091', outcome: 'Passed' }, 'against 2024-01-14, not itself');
});

t.test('history that cannot be read fails a metric of severity error and leaves warn at NA', async (t) => {
  const fx = await pipelineFixture(t);
  // metric_id as an INTEGER column: the history query cannot compare the ids, so the read fails inside the engine.
  await fx.seedTable(TARGET, [{ name: 'metric_id', type: 'INT64' }, { name: 'partition_dt', type: 'STRING' }, { name: 'metric_output', type: 'NUMERIC' }], [
    { metric_id: '1', partition_dt: '2024-01-14', metric_output: '1' },
  ]);
  const result = await fx.run(fx.writeConfig([checked('blocking', '1', { tolerance_severity: 'error' }), checked('warned', '1')]));
  t.match(result.metrics[0], {
    error_category: 'SQL_EXECUTION_ERROR',
    reason: /^Tolerance baseline could not be read, so the metric was not written \(tolerance_severity error\): Reading proj-a\.metrics\.out failed: /,
    tolerance: { outcome: 'NA' },
  });
  t.match(result.metrics[1]?.tolerance, { outcome: 'NA' });
});
