import PQueue from 'p-queue';
import { categoryOf, oneLineReason, PipelineError } from '../errors.js';
import { parseTableRef } from '../table-ref.js';
import type { Row } from '../warehouse/warehouse.js';
import { selectMetrics } from './dependency-selection.js';
import { executeMetric, sourceTableOf, type ExecutedMetric } from './metric-execution.js';
import { parseMetricConfig, type MetricDefinition } from './metric-config.js';
import { checkPartitionInfoTable, createPartitionDateLookup } from './partition-dates.js';
import type { PipelineDependencies, RunControl } from './pipeline-dependencies.js';
import { usesPartitionInfo } from './placeholders.js';
import { reconRow, RUN_ROW_ID, SUCCESS_REASON, type ReconEntry } from './recon-rows.js';
import { runStatusOf, type MetricOutcome, type RunFailure, type RunResult } from './run-outcome.js';
import type { RunParameters } from './run-parameters.js';
import { writeReconRows, writeTargetBatch } from './table-writes.js';
import { targetRow } from './target-rows.js';

/** The recon reason of a metric the run could not finish; the abort reason says why (service shutdown, SIGTERM). */
function interrupted(signal: AbortSignal, cause?: unknown): PipelineError {
  const why = signal.reason instanceof Error ? signal.reason.message : 'interrupted';
  return new PipelineError('PIPELINE_EXECUTION_ERROR', `Run was interrupted (${why}) before this metric finished`, { cause });
}

interface Attempt {
  metric: MetricDefinition;
  startedAt: Date;
  executed?: ExecutedMetric;
  failure?: PipelineError;
}

/**
 * One run: read config → validate → select by dependency → check the
 * partition info table → execute metrics in a bounded pool → write each
 * target table's batch atomically → write the recon rows. Never throws for
 * metric or run failures: they are in the result and in the recon table.
 */
export async function runPipeline(parameters: RunParameters, dependencies: PipelineDependencies, control: RunControl): Promise<RunResult> {
  const now = dependencies.now ?? (() => new Date());
  const startedAt = now();
  // Every log line of the run carries its run_id.
  const logger = dependencies.logger.child({ run_id: control.runId });
  const deps = { ...dependencies, logger };
  const finish = (metrics: MetricOutcome[], runFailure: RunFailure | null): RunResult => ({
    run_id: control.runId,
    parameters,
    status: runStatusOf(metrics, runFailure),
    metrics,
    run_failure: runFailure,
    started_at: startedAt.toISOString(),
    finished_at: now().toISOString(),
  });

  let selected: MetricDefinition[];
  try {
    selected = await planRun(parameters, deps);
  } catch (error) {
    const failure = { error_category: categoryOf(error, 'PIPELINE_EXECUTION_ERROR'), reason: oneLineReason(error) };
    logger.error({ err: error, error_category: failure.error_category }, 'run failed before any metric ran');
    const runEntry: ReconEntry = { source_system_id: RUN_ROW_ID, job_name: parameters.gcs_path, ...failure };
    const reconFailure = await writeRecon([runEntry], parameters, deps, control.runId, now);
    // The run's own failure stays its category; a recon write that failed too is added to the reason.
    return finish([], reconFailure ? { ...failure, reason: oneLineReason(`${failure.reason}; ${reconFailure.reason}`) } : failure);
  }

  control.onMetricsPlanned?.(selected.map(plannedMetric));
  logger.info({ metrics: selected.length }, 'run started');
  const outcomes = await executeAndWrite(selected, parameters, deps, control, now);
  const reconEntries = outcomes.map(({ entry }) => entry);
  const reconFailure = await writeRecon(reconEntries, parameters, deps, control.runId, now);
  const result = finish(outcomes.map(({ outcome }) => outcome), reconFailure);
  logger.info({ status: result.status, metrics: result.metrics.length }, 'run finished');
  return result;
}

/** The run-level steps: any failure here fails the run as a whole. */
async function planRun(parameters: RunParameters, deps: PipelineDependencies): Promise<MetricDefinition[]> {
  const text = await deps.configSource.read(parameters.gcs_path);
  const selected = selectMetrics(parseMetricConfig(text, parameters.gcs_path), parameters.dependencies);
  if (selected.some((metric) => usesPartitionInfo(metric.sql))) {
    await checkPartitionInfoTable(deps.warehouse, parseTableRef(parameters.partition_info_table));
  }
  return selected;
}

async function executeAndWrite(
  selected: MetricDefinition[],
  parameters: RunParameters,
  deps: PipelineDependencies,
  control: RunControl,
  now: () => Date,
): Promise<{ outcome: MetricOutcome; entry: ReconEntry }[]> {
  const pool = new PQueue({ concurrency: deps.settings.metricConcurrency });
  const context = {
    warehouse: deps.warehouse,
    runId: control.runId,
    runDate: parameters.run_date,
    env: parameters.env,
    lookupPartitionDate: createPartitionDateLookup(
      deps.warehouse,
      parseTableRef(parameters.partition_info_table),
      deps.settings.queryTimeoutMs,
    ),
    timeoutMs: deps.settings.queryTimeoutMs,
    logger: deps.logger,
    ...(control.signal ? { signal: control.signal } : {}),
  };
  const attempt = async (metric: MetricDefinition): Promise<Attempt> => {
    const startedAt = now();
    if (control.signal?.aborted) return { metric, startedAt, failure: interrupted(control.signal) };
    control.onMetricStarted?.(plannedMetric(metric));
    try {
      return { metric, startedAt, executed: await executeMetric(metric, context) };
    } catch (error) {
      const failure = control.signal?.aborted
        ? interrupted(control.signal, error)
        : error instanceof PipelineError
          ? error
          : new PipelineError('UNKNOWN_ERROR', oneLineReason(error), { cause: error });
      // Expected failures (data quality, SQL) are logged by category and reason; a stack only helps for the unexpected.
      const detail = failure.category === 'UNKNOWN_ERROR' ? { err: error } : { reason: oneLineReason(failure) };
      context.logger.warn({ metric_id: metric.metric_id, error_category: failure.category, ...detail }, 'metric failed');
      return { metric, startedAt, failure };
    }
  };

  const results = new Map<MetricDefinition, { outcome: MetricOutcome; entry: ReconEntry }>();
  const record = (item: Attempt) => {
    const done = settle(item, parameters, now());
    results.set(item.metric, done);
    control.onMetricDone?.(done.outcome);
  };
  await Promise.all(
    [...groupByTarget(selected)].map(async ([table, metrics]) => {
      const attempts = await Promise.all(metrics.map((metric) => pool.add(() => attempt(metric), { throwOnTimeout: true })));
      const passed = attempts.filter((item) => item.executed);
      attempts.filter((item) => item.failure).forEach(record);
      if (passed.length === 0) return;
      try {
        const writtenAt = now();
        const rows: Row[] = passed.map((item) =>
          targetRow(item.metric, (item.executed as ExecutedMetric).values, parameters.run_date, control.runId, writtenAt),
        );
        await writeTargetBatch(deps.warehouse, table, rows);
      } catch (error) {
        context.logger.error({ err: error, target_table: table }, 'target write failed');
        const failure = new PipelineError('BIGQUERY_WRITE_ERROR', `Write to ${table} failed: ${oneLineReason(error)}`);
        passed.forEach((item) => record({ metric: item.metric, startedAt: item.startedAt, failure }));
        return;
      }
      passed.forEach(record);
    }),
  );
  return selected.map((metric) => results.get(metric) as { outcome: MetricOutcome; entry: ReconEntry });
}

/** The outcome and recon entry of a metric whose fate is known. */
function settle(item: Attempt, parameters: RunParameters, finishedAt: Date): { outcome: MetricOutcome; entry: ReconEntry } {
  const source = sourceTableOf(item.metric.sql);
  const category = item.failure ? item.failure.category : null;
  const reason = item.failure ? oneLineReason(item.failure) : SUCCESS_REASON;
  return {
    outcome: {
      metric_id: item.metric.metric_id,
      metric_name: item.metric.metric_name,
      status: item.failure ? 'Failed' : 'Passed',
      error_category: category,
      reason,
      target_table: item.metric.target_table,
      metric_output: item.failure ? null : (item.executed?.values.metric_output ?? null),
      started_at: item.startedAt.toISOString(),
      finished_at: finishedAt.toISOString(),
      duration_ms: finishedAt.getTime() - item.startedAt.getTime(),
    },
    entry: {
      source_system_id: item.metric.metric_id,
      job_name: item.metric.metric_name,
      ...(source ? { source: { table: source.table, ...(source.dataset ? { dataset: source.dataset } : {}) } } : {}),
      target_table: item.metric.target_table,
      error_category: category,
      reason,
      latest_source_parttn_dt: item.executed?.partitionDate ?? parameters.run_date,
    },
  };
}

/** Writes the run's recon rows; a failure is RECON_CREATION_ERROR for the run. */
async function writeRecon(
  entries: ReconEntry[],
  parameters: RunParameters,
  deps: PipelineDependencies,
  runId: string,
  now: () => Date,
): Promise<RunFailure | null> {
  if (entries.length === 0) return null;
  const loadedAt = now();
  try {
    await writeReconRows(deps.warehouse, parameters.recon_table, entries.map((entry) => reconRow(entry, parameters, runId, loadedAt)));
    return null;
  } catch (error) {
    deps.logger.error({ err: error }, 'recon write failed');
    return { error_category: 'RECON_CREATION_ERROR', reason: oneLineReason(`Recon write to ${parameters.recon_table} failed: ${oneLineReason(error)}`) };
  }
}

function groupByTarget(metrics: MetricDefinition[]): Map<string, MetricDefinition[]> {
  const groups = new Map<string, MetricDefinition[]>();
  for (const metric of metrics) groups.set(metric.target_table, [...(groups.get(metric.target_table) ?? []), metric]);
  return groups;
}

function plannedMetric(metric: MetricDefinition) {
  return { metric_id: metric.metric_id, metric_name: metric.metric_name, target_table: metric.target_table };
}
