import { PipelineError, quotedList, UnselectedMetricsError } from '../errors.js';
import type { MetricDefinition } from './metric-config.js';

/**
 * The metrics whose dependency group was requested, in file order.
 *
 * Matching is exact and case-sensitive, as the original job's filter was:
 * folding case here would let `Daily` run the metrics of `daily`, and a
 * scheduler that relied on the old behaviour would silently run more metrics.
 * Both sides arrive trimmed (parseMetricConfig, validateRunParameters).
 *
 * Throws PipelineError(JSON_VALIDATION_ERROR) when a requested group is carried
 * by no record, before any SQL runs, listing the groups that do exist.
 */
export function selectMetrics(metrics: MetricDefinition[], dependencies: string[], metricIds?: string[]): MetricDefinition[] {
  const existing = new Set(metrics.map((metric) => metric.dependency));
  const unknown = [...new Set(dependencies.filter((dependency) => !existing.has(dependency)))].sort();
  if (unknown.length > 0) {
    const known = existing.size > 0 ? [...existing].sort().join(', ') : '(none: the config holds no metrics)';
    throw new PipelineError(
      'JSON_VALIDATION_ERROR',
      `Unknown dependencies: ${unknown.join(', ')}. Dependencies in the config: ${known}`,
    );
  }
  const requested = new Set(dependencies);
  const selected = metrics.filter((metric) => requested.has(metric.dependency));
  return metricIds === undefined ? selected : chooseMetrics(selected, metricIds, dependencies);
}

/**
 * Of the selected metrics, those `metricIds` names, in file order. Throws
 * UnselectedMetricsError naming every id that is not among them.
 */
function chooseMetrics(selected: MetricDefinition[], metricIds: string[], dependencies: string[]): MetricDefinition[] {
  const known = new Set(selected.map((metric) => metric.metric_id));
  const unselected = metricIds.filter((id) => !known.has(id));
  if (unselected.length > 0) {
    throw new UnselectedMetricsError(`not metrics of the dependencies ${dependencies.join(', ')}: ${quotedList(unselected)}`);
  }
  const chosen = new Set(metricIds);
  return selected.filter((metric) => chosen.has(metric.metric_id));
}
