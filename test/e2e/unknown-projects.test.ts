/**
 * Run parameters and metric targets naming projects the embedded warehouse
 * does not have: each run fails as the contract says, and none of them
 * creates a database file or leaves anything attached, however many there are.
 */
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { build, quickMetric, type RunDocument } from '../helpers/build-app.js';
import { metric, resultSql } from '../helpers/fixtures.js';

const RUNS = 200;
const WARM_UP_RUNS = 100;

// RSS is compared after full collections, so garbage not yet collected is not counted as growth.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const rss = () => {
  collectGarbage();
  return process.memoryUsage().rss;
};

t.test(`${RUNS} runs naming distinct unknown projects create no file and keep RSS within 20 MB`, async (t) => {
  const { app, settings, writeConfig, runBody } = await build(t);
  const quick = writeConfig([quickMetric('m1')]);
  const lookup = writeConfig([metric('m1', `${resultSql('1')} FROM \`proj-a.src.t\` WHERE d = {partition_info}`)]);
  /** Run i names a new unknown project in its recon table, its partition info table or its metric's target, in turn. */
  const post = (i: number) => {
    const project = `unknown-${i}`;
    const body = [
      () => runBody(quick, { recon_table: `${project}.audit.recon` }),
      () => runBody(lookup, { partition_info_table: `${project}.ops.partition_info` }),
      () => runBody(writeConfig([quickMetric('m1')].map((m) => ({ ...m, target_table: `${project}.metrics.out` })))),
    ][i % 3] as () => object;
    return app.inject({ method: 'POST', url: '/runs?wait=true', payload: body() });
  };
  // Warm-up: code paths compiled, pools and the allocator's arenas filled. RSS settles after about
  // 100 such runs (+14 MB, then +8 MB over the next 500), so growth measured after that is growth per run.
  for (let i = 0; i < WARM_UP_RUNS; i++) await post(RUNS + i);
  const files = readdirSync(settings.METRICS_DUCKDB_DIR).sort();
  const rssBefore = rss();

  const outcomes = new Map<string, number>();
  for (let i = 0; i < RUNS; i++) {
    const response = await post(i);
    const run = response.json<RunDocument>();
    const outcome = `${response.statusCode} ${run.run_failure?.error_category ?? run.metrics[0]?.error_category}`;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    if (i < 3) t.match(run.run_failure?.reason ?? run.metrics[0]?.reason, new RegExp(`Project 'unknown-${i}' has no database file unknown-${i}\\.duckdb in the warehouse directory ${settings.METRICS_DUCKDB_DIR}`));
  }
  const rssGrowth = rss() - rssBefore;

  t.same(Object.fromEntries(outcomes), {
    '422 RECON_CREATION_ERROR': 67,
    '422 PARTITION_VALIDATION_ERROR': 67,
    '422 BIGQUERY_WRITE_ERROR': 66,
  });
  t.same(readdirSync(settings.METRICS_DUCKDB_DIR).sort(), files, 'no new file in the warehouse directory');
  t.ok(rssGrowth < 20 * 1024 * 1024, `RSS grew by ${(rssGrowth / 1024 / 1024).toFixed(1)} MB`);
});
