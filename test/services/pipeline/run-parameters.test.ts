import t from 'tap';
import { InvalidRunParametersError } from '../../../services/errors.js';
import { isCalendarDate } from '../../../services/calendar-date.js';
import { validateRunParameters, type RawRunParameters } from '../../../services/pipeline/run-parameters.js';

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
