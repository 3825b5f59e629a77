import t from 'tap';
import { PipelineError, UnselectedMetricsError } from '../../../services/errors.js';
import { selectMetrics } from '../../../services/pipeline/dependency-selection.js';
import type { MetricDefinition } from '../../../services/pipeline/metric-config.js';

function metric(index: number, metric_id: string, dependency: string): MetricDefinition {
  return {
    index,
    metric_id,
    metric_name: `Metric ${metric_id}`,
    metric_type: 'count',
    sql: 'SELECT 1',
    dependency,
    target_table: 'proj.ds.metrics',
  };
}

const config = [
  metric(0, 'a', 'daily'),
  metric(1, 'b', 'weekly'),
  metric(2, 'c', 'daily'),
  metric(3, 'd', 'monthly'),
];

function thrownBy(fn: () => unknown): PipelineError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PipelineError) return error;
  }
  throw new Error('expected a PipelineError to be thrown');
}

t.test('selects the metrics of one requested group', async (t) => {
  t.same(selectMetrics(config, ['daily']).map((m) => m.metric_id), ['a', 'c']);
});

t.test('keeps file order, not the order the groups were requested in', async (t) => {
  t.same(selectMetrics(config, ['monthly', 'daily']).map((m) => m.metric_id), ['a', 'c', 'd']);
});

t.test('a group requested twice selects its metrics once', async (t) => {
  t.same(selectMetrics(config, ['weekly', 'weekly']).map((m) => m.metric_id), ['b']);
});

t.test('an unknown group fails with JSON_VALIDATION_ERROR', async (t) => {
  t.equal(thrownBy(() => selectMetrics(config, ['yearly'])).category, 'JSON_VALIDATION_ERROR');
});

t.test('the unknown-group message lists the unknown and the existing groups, sorted', async (t) => {
  t.equal(
    thrownBy(() => selectMetrics(config, ['zeta', 'daily', 'alpha'])).message,
    'Unknown dependencies: alpha, zeta. Dependencies in the config: daily, monthly, weekly',
  );
});

t.test('matching is case-sensitive', async (t) => {
  t.match(thrownBy(() => selectMetrics(config, ['Daily'])).message, /^Unknown dependencies: Daily\./);
});

t.test('a config without metrics says no group exists', async (t) => {
  t.equal(
    thrownBy(() => selectMetrics([], ['daily'])).message,
    'Unknown dependencies: daily. Dependencies in the config: (none: the config holds no metrics)',
  );
});

t.test('metric_ids narrows the selected metrics, keeping file order', async (t) => {
  t.same(selectMetrics(config, ['daily', 'monthly'], ['d', 'a']).map((m) => m.metric_id), ['a', 'd']);
});

t.test('a metric id outside the selected dependencies fails with JSON_VALIDATION_ERROR naming each one', async (t) => {
  const error = thrownBy(() => selectMetrics(config, ['daily'], ['a', 'b', 'zz']));
  t.type(error, UnselectedMetricsError);
  t.equal(error.category, 'JSON_VALIDATION_ERROR');
  t.equal(error.message, "metric_ids: not metrics of the dependencies daily: 'b', 'zz'");
});
