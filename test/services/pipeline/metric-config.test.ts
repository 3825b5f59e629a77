import t from 'tap';
import { ConfigValidationError, type FieldProblem } from '../../../services/errors.js';
import { parseMetricConfig } from '../../../services/pipeline/metric-config.js';

const valid = {
  metric_id: 'rev_1',
  metric_name: 'Daily revenue',
  metric_type: 'sum',
  sql: 'SELECT 1 AS metric_output',
  dependency: 'daily_batch',
  target_table: 'my-proj.metrics_ds.daily_metrics',
};

function record(overrides: Record<string, unknown>): Record<string, unknown> {
  return { ...valid, ...overrides };
}

/** The problems parseMetricConfig reports for this config; throws (failing the test) when it accepts it. */
function problemsOf(config: unknown): FieldProblem[] {
  const text = typeof config === 'string' ? config : JSON.stringify(config);
  try {
    parseMetricConfig(text, 'gs://bucket/metrics.json');
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigValidationError, the config was accepted');
}

function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an Error to be thrown');
}

/** The single problem of a one-record config with these overrides; throws when there are more. */
function onlyProblem(overrides: Record<string, unknown>): FieldProblem {
  const problems = problemsOf([record(overrides)]);
  if (problems.length !== 1 || problems[0] === undefined) {
    throw new Error(`expected exactly one problem, got ${JSON.stringify(problems)}`);
  }
  return problems[0];
}

t.test('parses a valid array into definitions with the record index', async (t) => {
  const metrics = parseMetricConfig(JSON.stringify([valid, record({ metric_id: 'rev_2' })]), 'cfg.json');
  t.same(metrics, [
    { index: 0, ...valid },
    { index: 1, ...valid, metric_id: 'rev_2' },
  ]);
});

t.test('accepts a single object as an array of one', async (t) => {
  t.same(parseMetricConfig(JSON.stringify(valid), 'cfg.json'), [{ index: 0, ...valid }]);
});

t.test('accepts an empty array as a config without metrics', async (t) => {
  t.same(parseMetricConfig('[]', 'cfg.json'), []);
});

t.test('ignores and drops fields outside the contract', async (t) => {
  const [metric] = parseMetricConfig(
    JSON.stringify([record({ metric_description: 'x', frequency: 'daily', modified_date: '2024-01-01' })]),
    'cfg.json',
  );
  t.same(Object.keys(metric ?? {}).sort(), [
    'dependency', 'index', 'metric_id', 'metric_name', 'metric_type', 'sql', 'target_table',
  ]);
});

t.test('trims every string field, sql included', async (t) => {
  const [metric] = parseMetricConfig(
    JSON.stringify([
      {
        metric_id: ' rev_1 ',
        metric_name: ' Daily revenue\n',
        metric_type: ' sum ',
        sql: '\n  SELECT 1 AS metric_output  \n',
        dependency: ' daily_batch ',
        target_table: ' my-proj.metrics_ds.daily_metrics ',
      },
    ]),
    'cfg.json',
  );
  t.same(metric, { index: 0, ...valid });
});

t.test('ignores a leading byte-order mark', async (t) => {
  t.equal(parseMetricConfig(`\uFEFF${JSON.stringify(valid)}`, 'cfg.json').length, 1);
});

t.test('invalid JSON gives one (file) problem naming the source and the parse position', async (t) => {
  const problems = problemsOf('[{"metric_id": "a",}]');
  t.equal(problems.length, 1);
  t.equal(problems[0]?.field, '(file)');
  t.equal(problems[0]?.reason, 'gs://bucket/metrics.json is not valid JSON at line 1, column 20 (property name expected)');
});

t.test('the parse position counts lines and columns from 1', async (t) => {
  t.match(problemsOf('[\n  {"metric_id": "a"}\n  {"metric_id": "b"}\n]')[0]?.reason, /not valid JSON at line 3, column 3 \(comma expected\)$/);
  t.match(problemsOf('')[0]?.reason, /not valid JSON at line 1, column 1 \(value expected\)$/);
});

t.test('a file that is not JSON is never quoted in the problem, however short', async (t) => {
  for (const secret of ['root:x:0:0:root:/root:/bin/bash', 'hunter2', 'AKIA1234SECRET', '{"password": hunter2}']) {
    const [problem] = problemsOf(secret);
    t.match(problem?.reason, /^gs:\/\/bucket\/metrics\.json is not valid JSON at line 1, column \d+ \([a-z ]+\)$/, secret);
    t.notMatch(problem?.reason, /root|hunter|AKIA|password/, secret);
  }
});

t.test('invalid JSON fails with category JSON_VALIDATION_ERROR', async (t) => {
  t.match(thrownBy(() => parseMetricConfig('{', 'cfg.json')), { category: 'JSON_VALIDATION_ERROR' });
});

t.test('a JSON value that is neither array nor object is a (file) problem naming its type', async (t) => {
  for (const [text, type] of [['42', 'number'], ['"x"', 'string'], ['null', 'null'], ['true', 'boolean']]) {
    const problems = problemsOf(text);
    t.same(problems, [
      {
        field: '(file)',
        reason: `gs://bucket/metrics.json must hold a JSON array of metric objects or one metric object, got ${type}`,
      },
    ]);
  }
});

t.test('a record that is not an object is a problem for its index', async (t) => {
  const problems = problemsOf([valid, 'oops', [1], null]);
  t.same(problems, [
    { index: 1, field: '(record)', reason: 'must be a JSON object, got string' },
    { index: 2, field: '(record)', reason: 'must be a JSON object, got array' },
    { index: 3, field: '(record)', reason: 'must be a JSON object, got null' },
  ]);
});

for (const field of ['metric_id', 'metric_name', 'metric_type', 'sql', 'dependency', 'target_table']) {
  t.test(`${field} missing is reported as required`, async (t) => {
    const rest = Object.fromEntries(Object.entries(valid).filter(([key]) => key !== field));
    const problems = problemsOf([rest]);
    t.equal(problems.length, 1);
    t.match(problems[0], { index: 0, field, reason: 'is required' });
  });

  t.test(`${field} null is reported as required`, async (t) => {
    t.match(onlyProblem({ [field]: null }), { field, reason: 'is required' });
  });

  t.test(`${field} blank is reported as blank`, async (t) => {
    t.match(onlyProblem({ [field]: ' \t ' }), { field, reason: 'may not be blank' });
  });

  t.test(`${field} of the wrong type names the type`, async (t) => {
    t.match(onlyProblem({ [field]: 42 }), { field, reason: 'must be a string, got number' });
  });
}

t.test('metric_id with a character outside letters, digits and underscore is rejected', async (t) => {
  t.same(onlyProblem({ metric_id: 'rev-1' }), {
    index: 0,
    metric_id: 'rev-1',
    field: 'metric_id',
    reason: "must be 1 to 100 letters, digits or underscores, got 'rev-1'",
  });
});

t.test('metric_id of 100 characters is accepted, 101 rejected', async (t) => {
  t.equal(parseMetricConfig(JSON.stringify(record({ metric_id: 'a'.repeat(100) })), 'cfg.json').length, 1);
  t.match(onlyProblem({ metric_id: 'a'.repeat(101) }), { field: 'metric_id', reason: /1 to 100 letters/ });
});

t.test("metric_id starting with '__' is reserved", async (t) => {
  t.match(onlyProblem({ metric_id: '__run__' }), {
    field: 'metric_id',
    reason: "may not start with '__' (reserved for run-level recon rows), got '__run__'",
  });
});

t.test("metric_id with a single leading underscore is allowed", async (t) => {
  t.equal(parseMetricConfig(JSON.stringify(record({ metric_id: '_rev' })), 'cfg.json')[0]?.metric_id, '_rev');
});

t.test('a duplicate metric_id names both record indexes', async (t) => {
  const problems = problemsOf([valid, record({ metric_id: 'other' }), record({ metric_id: ' rev_1 ' })]);
  t.same(problems, [
    { index: 2, metric_id: 'rev_1', field: 'metric_id', reason: 'duplicates record 0; metric_id must be unique in the file' },
  ]);
});

t.test('a duplicate metric_id is found even when the first record has other problems', async (t) => {
  const problems = problemsOf([record({ sql: '' }), valid]);
  t.match(problems, [
    { index: 0, field: 'sql' },
    { index: 1, field: 'metric_id', reason: /duplicates record 0/ },
  ]);
});

t.test('metric_id uniqueness is case-sensitive', async (t) => {
  t.equal(parseMetricConfig(JSON.stringify([valid, record({ metric_id: 'REV_1' })]), 'cfg.json').length, 2);
});

t.test('metric_name of 255 characters is accepted, 256 rejected with the length', async (t) => {
  t.equal(parseMetricConfig(JSON.stringify(record({ metric_name: 'n'.repeat(255) })), 'cfg.json').length, 1);
  t.match(onlyProblem({ metric_name: 'n'.repeat(256) }), {
    field: 'metric_name',
    reason: 'must be at most 255 characters, got 256',
  });
});

t.test('metric_name length counts characters, not UTF-16 units', async (t) => {
  const name = '📈'.repeat(255);
  t.equal(parseMetricConfig(JSON.stringify(record({ metric_name: name })), 'cfg.json')[0]?.metric_name, name);
});

t.test('metric_type is case-insensitive and stored lower-case', async (t) => {
  for (const [given, stored] of [['COUNT', 'count'], ['Sum', 'sum'], ['Ratio', 'ratio'], ['PERCENTAGE', 'percentage'], ['Average', 'average']] as const) {
    t.equal(parseMetricConfig(JSON.stringify(record({ metric_type: given })), 'cfg.json')[0]?.metric_type, stored, given);
  }
});

t.test("metric_type alias avg, any case, is stored as 'average'", async (t) => {
  for (const given of ['avg', 'AVG', 'Avg']) {
    t.equal(parseMetricConfig(JSON.stringify(record({ metric_type: given })), 'cfg.json')[0]?.metric_type, 'average', given);
  }
});

t.test('metric_type outside the list names the allowed types', async (t) => {
  t.match(onlyProblem({ metric_type: 'median' }), {
    field: 'metric_type',
    reason: "must be one of count, sum, average, ratio, percentage (or avg), any case, got 'median'",
  });
});

t.test('metric_type that names an Object property is still rejected', async (t) => {
  t.match(onlyProblem({ metric_type: 'constructor' }), { field: 'metric_type', reason: /got 'constructor'/ });
});

t.test('target_table that is not three parts is rejected with the table-ref reason', async (t) => {
  t.same(onlyProblem({ target_table: 'a.b' }), {
    index: 0,
    metric_id: 'rev_1',
    field: 'target_table',
    reason: "must be project.dataset.table (three dot-separated parts), got 'a.b'",
  });
});

t.test('target_table with a bad dataset names the dataset', async (t) => {
  t.match(onlyProblem({ target_table: 'my-proj.my-ds.t' }), { field: 'target_table', reason: /dataset 'my-ds'/ });
});

t.test('target_table with a table name over 1,024 characters is rejected naming the field', async (t) => {
  t.match(onlyProblem({ target_table: `my-proj.ds.${'t'.repeat(1025)}` }), { field: 'target_table', reason: /longer than BigQuery's limit of 1024 characters/ });
});

t.test('target_table whose project is no Google Cloud project id is rejected', async (t) => {
  t.match(onlyProblem({ target_table: 'Analytics.ds.t' }), { field: 'target_table', reason: /project 'Analytics' must be a Google Cloud project id/ });
});

t.test('the message reads record, metric_id, field and reason', async (t) => {
  const config = [valid, record({ metric_id: 'rev_2' }), record({ metric_id: 'rev_3' }), record({ metric_id: 'rev_9', target_table: 'a.b' })];
  t.equal(
    thrownBy(() => parseMetricConfig(JSON.stringify(config), 'c')).message,
    "Invalid metric config: record 3, metric_id rev_9: target_table: must be project.dataset.table (three dot-separated parts), got 'a.b'",
  );
});

t.test('problems of a record without a usable metric_id carry no metric_id', async (t) => {
  const problems = problemsOf([record({ metric_id: 7, sql: '' })]);
  t.same(problems, [
    { index: 0, field: 'metric_id', reason: 'must be a string, got number' },
    { index: 0, field: 'sql', reason: 'may not be blank' },
  ]);
});

t.test('every problem of every record is reported at once', async (t) => {
  const problems = problemsOf([
    record({ metric_type: 'bogus', target_table: 'x' }),
    valid,
    { metric_id: 'r3' },
    42,
  ]);
  t.same(
    problems.map((p) => [p.index, p.metric_id, p.field]),
    [
      [0, 'rev_1', 'metric_type'],
      [0, 'rev_1', 'target_table'],
      [1, 'rev_1', 'metric_id'],
      [2, 'r3', 'metric_name'],
      [2, 'r3', 'metric_type'],
      [2, 'r3', 'sql'],
      [2, 'r3', 'dependency'],
      [2, 'r3', 'target_table'],
      [3, undefined, '(record)'],
    ],
  );
});

t.test('$schema in a record is allowed and ignored, whatever its value', async (t) => {
  for (const $schema of ['https://metrics.example/schemas/metric-config.json', 42, null]) {
    t.same(parseMetricConfig(JSON.stringify(record({ $schema })), 'cfg.json'), [{ index: 0, ...valid }], String($schema));
  }
});

t.test('tolerance_pct alone gives a tolerance against the previous value with severity warn', async (t) => {
  const [metric] = parseMetricConfig(JSON.stringify(record({ tolerance_pct: 10 })), 'cfg.json');
  t.same(metric?.tolerance, { pct: '10', baseline: 'previous', values: 1, severity: 'warn' });
});

t.test('tolerance_baseline avg_N averages N values and tolerance_severity is kept, both trimmed', async (t) => {
  const [metric] = parseMetricConfig(
    JSON.stringify(record({ tolerance_pct: 12.5, tolerance_baseline: ' avg_30 ', tolerance_severity: ' error' })),
    'cfg.json',
  );
  t.same(metric?.tolerance, { pct: '12.5', baseline: 'avg_30', values: 30, severity: 'error' });
});

t.test('tolerance_pct is kept as plain decimal text, never with an exponent', async (t) => {
  for (const [written, stored] of [['1e21', '1000000000000000000000'], ['1e-7', '0.0000001'], ['2.50', '2.5'], ['0.1', '0.1']] as const) {
    const [metric] = parseMetricConfig(`[${JSON.stringify(valid).slice(0, -1)}, "tolerance_pct": ${written}}]`, 'cfg.json');
    t.equal(metric?.tolerance?.pct, stored, written);
  }
});

t.test('avg_2 and avg_90 are the bounds of avg_N', async (t) => {
  for (const baseline of ['avg_2', 'avg_90']) {
    t.equal(parseMetricConfig(JSON.stringify(record({ tolerance_pct: 5, tolerance_baseline: baseline })), 'cfg.json').length, 1, baseline);
  }
  for (const baseline of ['avg_1', 'avg_91', 'avg_07', 'AVG_7', 'avg', 'latest', 'avg_-3']) {
    t.same(onlyProblem({ tolerance_pct: 5, tolerance_baseline: baseline }), {
      index: 0,
      metric_id: 'rev_1',
      field: 'tolerance_baseline',
      reason: `must be previous or avg_N with N from 2 to 90, got '${baseline}'`,
    });
  }
});

t.test('tolerance_pct must be a positive JSON number', async (t) => {
  t.match(onlyProblem({ tolerance_pct: 0 }), { field: 'tolerance_pct', reason: 'must be greater than 0, got 0' });
  t.match(onlyProblem({ tolerance_pct: -5 }), { field: 'tolerance_pct', reason: 'must be greater than 0, got -5' });
  t.match(onlyProblem({ tolerance_pct: '10' }), { field: 'tolerance_pct', reason: 'must be a number, got string' });
  t.match(onlyProblem({ tolerance_pct: null }), { field: 'tolerance_pct', reason: 'must be a number, got null' });
  t.match(onlyProblem({ tolerance_pct: [10] }), { field: 'tolerance_pct', reason: 'must be a number, got array' });
});

t.test('tolerance_pct too large for a number (1e999) is refused, not read as Infinity', async (t) => {
  const problems = problemsOf(`[${JSON.stringify(valid).slice(0, -1)}, "tolerance_pct": 1e999}]`);
  t.same(problems, [{ index: 0, metric_id: 'rev_1', field: 'tolerance_pct', reason: 'must be a finite number, got Infinity' }]);
});

t.test('tolerance_severity is warn or error, exactly', async (t) => {
  for (const severity of ['fatal', 'WARN', '']) {
    t.match(onlyProblem({ tolerance_pct: 5, tolerance_severity: severity }), {
      field: 'tolerance_severity',
      reason: `must be warn or error, got '${severity}'`,
    });
  }
  t.match(onlyProblem({ tolerance_pct: 5, tolerance_severity: 1 }), { field: 'tolerance_severity', reason: 'must be a string, got number' });
  t.match(onlyProblem({ tolerance_pct: 5, tolerance_baseline: null }), { field: 'tolerance_baseline', reason: 'must be a string, got null' });
});

t.test('tolerance_baseline or tolerance_severity without tolerance_pct is refused: it would check nothing', async (t) => {
  const problems = problemsOf([record({ tolerance_baseline: 'avg_7', tolerance_severity: 'error' })]);
  t.same(problems, [
    { index: 0, metric_id: 'rev_1', field: 'tolerance_baseline', reason: 'needs tolerance_pct; without it nothing is checked' },
    { index: 0, metric_id: 'rev_1', field: 'tolerance_severity', reason: 'needs tolerance_pct; without it nothing is checked' },
  ]);
});

t.test('a bad tolerance field fails the whole config with the other problems', async (t) => {
  const problems = problemsOf([record({ tolerance_pct: -1 }), record({ metric_id: 'rev_2', metric_type: 'x', tolerance_severity: 'loud', tolerance_pct: 3 })]);
  t.same(problems.map((p) => [p.index, p.field]), [[0, 'tolerance_pct'], [1, 'metric_type'], [1, 'tolerance_severity']]);
});
