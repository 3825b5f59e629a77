import t from 'tap';
import type { DryRunReport } from '../../services/pipeline/dry-run-report.js';
import { parseTableRef } from '../../services/table-ref.js';
import { build, quickMetric, RECON, TARGET, type ErrorResponse, type RunPage } from '../helpers/build-app.js';

t.test('POST /runs?dry_run=true answers 200 with each metric\'s report and writes nothing', async (t) => {
  const { app, warehouse, writeConfig, runBody } = await build(t);
  const broken = { ...quickMetric('m2'), sql: 'SELECT * FROM `proj-a.nowhere.missing`' };
  const response = await app.inject({ method: 'POST', url: '/runs?dry_run=true', payload: runBody(writeConfig([quickMetric('m1', '7'), broken])) });
  t.equal(response.statusCode, 200, 'a report, even when a metric would fail');
  t.equal(response.headers.location, undefined, 'no run was started');
  t.match(response.json<DryRunReport>(), {
    dry_run: true,
    metrics: [
      { metric_id: 'm1', ok: true, resolved_sql: /^SELECT 7 AS metric_output/, partition_dates: {}, bytes_processed: null },
      { metric_id: 'm2', ok: false, error_category: 'SQL_EXECUTION_ERROR', reason: /nowhere/ },
    ],
    bytes_total: null,
  });
  for (const table of [TARGET, RECON]) t.equal(await warehouse.getTableSchema(parseTableRef(table)), undefined, `${table} was not created`);
  t.same((await app.inject({ method: 'GET', url: '/runs' })).json<RunPage>().runs, [], 'no run is listed');
});

t.test('POST /runs?dry_run=true answers 422 for a run that would fail as a whole, and 400 for bad parameters', async (t) => {
  const { app, warehouse, writeConfig, runBody } = await build(t);
  const response = await app.inject({ method: 'POST', url: '/runs?dry_run=true', payload: runBody(writeConfig([{ ...quickMetric('m1'), metric_type: 'median' }])) });
  t.equal(response.statusCode, 422);
  t.same(response.json(), {
    dry_run: true,
    run_failure: {
      error_category: 'JSON_VALIDATION_ERROR',
      reason: "Invalid metric config: record 0, metric_id m1: metric_type: must be one of count, sum, average, ratio, percentage (or avg), any case, got 'median'",
    },
  });
  t.equal(await warehouse.getTableSchema(parseTableRef(RECON)), undefined, 'no __run__ row');

  const bad = await app.inject({ method: 'POST', url: '/runs?dry_run=true', payload: runBody(writeConfig([quickMetric('m1')]), { env: 'QA' }) });
  t.equal(bad.statusCode, 400);
  t.match(bad.json<ErrorResponse>(), { code: 'INVALID_RUN_PARAMETERS', details: [{ field: 'env' }] });
  const notBoolean = await app.inject({ method: 'POST', url: '/runs?dry_run=maybe', payload: runBody(writeConfig([quickMetric('m1')])) });
  t.equal(notBoolean.statusCode, 400);
  t.match(notBoolean.json<ErrorResponse>(), { details: [{ field: 'dry_run' }] });
});
