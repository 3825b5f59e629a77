import { PipelineError } from '../errors.js';
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
export function selectMetrics(metrics: MetricDefinition[], dependencies: string[]): MetricDefinition[] {
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
  return metrics.filter((metric) => requested.has(metric.dependency));
}
