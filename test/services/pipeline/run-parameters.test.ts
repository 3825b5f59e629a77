import t from 'tap';
import { InvalidRunParametersError } from '../../../services/errors.js';
import { isCalendarDate } from '../../../services/calendar-date.js';
import { validateBackfillParameters, validateRunParameters, type RawBackfillParameters, type RawRunParameters } from '../../../services/pipeline/run-parameters.js';

const valid: RawRunParameters = {
  gcs_path: 'gs://bucket/configs/metrics.json',
  run_date: '2024-01-15',
  dependencies: 'daily, weekly,,daily',
  partition_info_table: 'my-proj.ops.partition_info',
  env: 'prd',
  recon_table: 'my-proj.audit.recon',
};
const open = { allowLocal: true };

function problemsOf(raw: RawRunParameters, policy: Parameters<typeof validateRunParameters>[1] = open) {
  try {
    validateRunParameters(raw, policy);
    return [];
  } catch (error) {
    if (!(error instanceof InvalidRunParametersError)) throw error;
    return error.problems.map((problem) => `${problem.field}: ${problem.reason}`);
  }
}

t.test('normalises valid parameters: env upper-case, dependencies split, trimmed, blanks and repeats dropped', async (t) => {
  t.same(validateRunParameters(valid, open), {
    gcs_path: 'gs://bucket/configs/metrics.json',
    run_date: '2024-01-15',
    dependencies: ['daily', 'weekly'],
    partition_info_table: 'my-proj.ops.partition_info',
    env: 'PRD',
    recon_table: 'my-proj.audit.recon',
  });
  t.same(validateRunParameters({ ...valid, dependencies: [' a ', 'b'] }, open).dependencies, ['a', 'b']);
});

t.test('reports every bad parameter at once, each naming its field', async (t) => {
  const problems = problemsOf({ gcs_path: '', run_date: '15/01/2024', dependencies: ' , ', partition_info_table: 'x', env: 'QA', recon_table: 'a.b.c.d' });
  t.equal(problems.length, 6);
  t.match(problems, [/^gcs_path: is required/, /^run_date: must be a real calendar date/, /^dependencies: must name at least one/, /^partition_info_table: must be project\.dataset\.table/, /^recon_table: must be project\.dataset\.table/, /^env: must be one of DEV, BLD, INT, PRE, PRD/]);
});

t.test('run_date must be a real calendar date', async (t) => {
  t.ok(isCalendarDate('2024-02-29'));
  t.notOk(isCalendarDate('2023-02-29'));
  t.notOk(isCalendarDate('2024-13-01'));
  t.notOk(isCalendarDate('2024-1-5'));
});

t.test('a non-text run_date or env is named by its JSON type, never as [object Object]', async (t) => {
  t.same(problemsOf({ ...valid, run_date: {}, env: ['PRD'] }), [
    'run_date: must be a real calendar date as YYYY-MM-DD, got an object',
    'env: must be one of DEV, BLD, INT, PRE, PRD (any case), got an array',
  ]);
  t.match(problemsOf({ ...valid, run_date: 20240115 }), ['run_date: must be a real calendar date as YYYY-MM-DD, got the number 20240115']);
  t.match(problemsOf({ ...valid, env: null }), [/got nothing$/]);
});

t.test('dependencies must be strings', async (t) => {
  t.match(problemsOf({ ...valid, dependencies: ['a', 3] }), [/^dependencies: must be a comma-separated string or an array of strings/]);
});

t.test('local config paths need the policy to allow them', async (t) => {
  t.same(problemsOf({ ...valid, gcs_path: '/tmp/metrics.json' }), []);
  t.same(problemsOf({ ...valid, gcs_path: 'file:///tmp/metrics.json' }), []);
  t.match(problemsOf({ ...valid, gcs_path: '/tmp/metrics.json' }, { allowLocal: false }), [/^gcs_path: local config paths are not allowed/]);
  t.match(problemsOf({ ...valid, gcs_path: 'https://example.com/m.json' }), [/^gcs_path: must be gs:\/\/bucket\/object or a local path/]);
  t.match(problemsOf({ ...valid, gcs_path: 'gs://bucket' }), [/^gcs_path: must be gs:\/\/bucket\/object/]);
});

t.test('gs:// paths outside the allowed prefixes are refused', async (t) => {
  const policy = { allowLocal: false, gcsPrefixes: ['gs://configs-prod/'] };
  t.same(problemsOf({ ...valid, gcs_path: 'gs://configs-prod/metrics.json' }, policy), []);
  t.match(problemsOf(valid, policy), [/outside the allowed Cloud Storage prefixes \(gs:\/\/configs-prod\/\)/]);
});

t.test('metric_ids: an array or a comma-separated string, trimmed, blanks and repeats dropped', async (t) => {
  t.same(validateRunParameters({ ...valid, metric_ids: ' b, a,,b ' }, open).metric_ids, ['b', 'a']);
  t.same(validateRunParameters({ ...valid, metric_ids: ['a', ' c '] }, open).metric_ids, ['a', 'c']);
  t.notOk('metric_ids' in validateRunParameters({ ...valid, metric_ids: null }, open), 'null is absent');
  t.match(problemsOf({ ...valid, metric_ids: ' , ' }), ['metric_ids: must name at least one metric_id']);
  t.match(problemsOf({ ...valid, metric_ids: ['a', 1] }), ['metric_ids: must be a comma-separated string or an array of strings']);
  t.match(problemsOf({ ...valid, metric_ids: 'a,b c,d-e' }), ["metric_ids: must be metric ids (letters, digits, underscores), got 'b c', 'd-e'"]);
});

t.test('a reason lists at most ten bad ids and quotes at most 80 characters of each', async (t) => {
  const ids = Array.from({ length: 12 }, (_, index) => `bad-${index}`);
  t.match(problemsOf({ ...valid, metric_ids: ids }), [/'bad-9' and 2 more$/]);
  const [problem] = problemsOf({ ...valid, metric_ids: ['x'.repeat(5000) + '-'] });
  t.ok(problem !== undefined && problem.length < 200, 'a huge value is not echoed whole');
  t.match(problemsOf({ ...valid, run_date: 'y'.repeat(5000) }), [/got 'y{80}\.\.\.' \(5000 characters\)$/]);
});

t.test('retry_failed_of is a run id; only_missing is true or false', async (t) => {
  t.match(validateRunParameters({ ...valid, retry_failed_of: ' 2f1c-run ', only_missing: true }, open), { retry_failed_of: '2f1c-run', only_missing: true });
  t.notOk('only_missing' in validateRunParameters({ ...valid, only_missing: false }, open), 'false is the default, left out');
  t.same(problemsOf({ ...valid, retry_failed_of: 'a b', only_missing: 'yes' }), [
    "retry_failed_of: must be the run_id of an earlier run, got 'a b'",
    "only_missing: must be true or false, got 'yes'",
  ]);
  t.match(problemsOf({ ...valid, retry_failed_of: 'r'.repeat(201) }), [/^retry_failed_of: must be the run_id/]);
});

t.test('a backfill: run_date_to on or after run_date, at most the allowed number of dates, and no retry', async (t) => {
  const backfillProblems = (raw: RawBackfillParameters, maxDates = 366) => {
    try {
      validateBackfillParameters(raw, open, maxDates);
      return [];
    } catch (error) {
      if (!(error instanceof InvalidRunParametersError)) throw error;
      return error.problems.map((problem) => `${problem.field}: ${problem.reason}`);
    }
  };
  t.match(validateBackfillParameters({ ...valid, run_date_to: ' 2024-01-15 ' }, open, 1), { run_date: '2024-01-15', run_date_to: '2024-01-15' });
  t.same(backfillProblems({ ...valid, run_date_to: '2024-01-17' }, 3), []);
  t.same(backfillProblems({ ...valid, run_date_to: '2024-01-18' }, 3), [
    'run_date_to: spans 4 dates from run_date (2024-01-15); a backfill covers at most 3 (METRICS_BACKFILL_MAX_DATES)',
  ]);
  t.same(backfillProblems({ ...valid, run_date_to: '2024-01-14' }), ["run_date_to: must not be before run_date (2024-01-15), got '2024-01-14'"]);
  t.same(backfillProblems({ ...valid, run_date_to: '2025-01-14' }), [], 'a year from 2024-01-15, leap day included: 366 dates');
  t.match(backfillProblems({ ...valid, run_date_to: '2025-01-15' }), [/spans 367 dates/]);
  t.same(backfillProblems({ ...valid, env: 'QA', run_date_to: 20240116, retry_failed_of: 'r1' }), [
    'env: must be one of DEV, BLD, INT, PRE, PRD (any case), got \'QA\'',
    'run_date_to: must be a real calendar date as YYYY-MM-DD, got the number 20240116',
    'retry_failed_of: cannot be combined with run_date_to: a retry reruns the one date of the run it retries',
  ]);
  t.same(backfillProblems({ ...valid, run_date: 'soon', run_date_to: '2024-01-16' }), [
    "run_date: must be a real calendar date as YYYY-MM-DD, got 'soon'",
  ], 'no range check without a first date');
});
