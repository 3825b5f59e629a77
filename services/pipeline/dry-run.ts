import PQueue from 'p-queue';
import { BytesBilledLimitError, categoryOf, oneLineReason } from '../errors.js';
import type { DryRunMetric, DryRunReport } from './dry-run-report.js';
import type { MetricDefinition } from './metric-config.js';
import { metricQuery, type MetricExecutionContext, type MetricQuery } from './metric-execution.js';
import type { PipelineDependencies, RunControl } from './pipeline-dependencies.js';
import type { RunParameters } from './run-parameters.js';
import { executionContext, planRun } from './run-pipeline.js';

/**
 * Everything a run does up to the warehouse write, and nothing written
 * anywhere: no target rows, no recon rows, no __run__ row
 * (docs/contract.md#dry-run). The run's own steps check the config, select
 * by dependency and check the partition info table; then each metric's
 * read-only rule, placeholders, and the warehouse's dry run of its resolved
 * SQL under the cost cap. A run that would fail as a whole answers its
 * run_failure; otherwise one entry per metric, each failing alone.
 */
export async function dryRunPipeline(
  parameters: RunParameters,
  dependencies: PipelineDependencies,
  control: Pick<RunControl, 'runId' | 'signal'>,
): Promise<DryRunReport> {
  const logger = dependencies.logger.child({ run_id: control.runId, dry_run: true });
  const deps = { ...dependencies, logger };
  let selected: MetricDefinition[];
  try {
    selected = await planRun(parameters, deps, { dryRun: true });
  } catch (error) {
    const runFailure = { error_category: categoryOf(error, 'PIPELINE_EXECUTION_ERROR'), reason: oneLineReason(error) };
    logger.info({ error_category: runFailure.error_category }, 'dry run: the run would fail as a whole');
    return { dry_run: true, run_failure: runFailure };
  }
  const context = executionContext(selected, parameters, deps, control);
  const pool = new PQueue({ concurrency: deps.settings.metricConcurrency });
  const metrics = await Promise.all(selected.map((metric) => pool.add(() => dryRunMetric(metric, context), { throwOnTimeout: true })));
  const report = { dry_run: true as const, metrics, bytes_total: bytesTotal(metrics) };
  logger.info({ metrics: metrics.length, failing: metrics.filter((metric) => !metric.ok).length, bytes_total: report.bytes_total }, 'dry run finished');
  return report;
}

/** One metric's dry run; never throws: a failure is its entry, as a run would record it. */
async function dryRunMetric(metric: MetricDefinition, context: MetricExecutionContext): Promise<DryRunMetric> {
  let planned: MetricQuery | undefined;
  try {
    planned = await metricQuery(metric, context);
    const { bytesProcessed } = await context.warehouse.dryRun(planned.request);
    return { metric_id: metric.metric_id, ok: true, ...resolvedOf(planned), bytes_processed: bytesProcessed };
  } catch (error) {
    return {
      metric_id: metric.metric_id,
      ok: false,
      error_category: categoryOf(error),
      reason: oneLineReason(error),
      ...resolvedOf(planned),
      // A metric over the cost cap still shows what it would bill.
      bytes_processed: error instanceof BytesBilledLimitError ? error.bytes : null,
    };
  }
}

function resolvedOf(planned: MetricQuery | undefined): Pick<DryRunMetric, 'resolved_sql' | 'partition_dates'> {
  return { resolved_sql: planned?.resolved.sql ?? null, partition_dates: planned?.resolved.partitionDates ?? {} };
}

/** The bytes of the metrics that would run; unknown (null) when any of their estimates is. */
function bytesTotal(metrics: DryRunMetric[]): string | null {
  const estimates = metrics.filter((metric) => metric.ok).map((metric) => metric.bytes_processed);
  if (estimates.some((bytes) => bytes === null)) return null;
  return String(estimates.reduce((sum, bytes) => sum + BigInt(bytes as string), 0n));
}
