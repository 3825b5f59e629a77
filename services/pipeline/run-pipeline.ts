import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { categoryOf, failureLogFields, oneLineReason, PipelineError } from '../errors.js';
import { parseTableRef } from '../table-ref.js';
import { selectMetrics } from './dependency-selection.js';
import { metricQuery, queryMetricValues, sourceTableOf, type MetricExecutionContext } from './metric-execution.js';
import { parseMetricConfig, type MetricDefinition } from './metric-config.js';
import type { MetricValues } from './metric-values.js';
import { checkPartitionInfoTable, createPartitionDateLookup } from './partition-dates.js';
import type { PipelineDependencies, RunControl } from './pipeline-dependencies.js';
import { usesPartitionInfo } from './placeholders.js';
import { reconRow, runRowEntry, SUCCESS_REASON, type ReconEntry } from './recon-rows.js';
import { runStatusOf, type MetricOutcome, type RunFailure, type RunResult } from './run-outcome.js';
import type { RunParameters } from './run-parameters.js';
import { checkReconTable, prepareReconTable, writeReconRows, writeTargetBatch } from './table-writes.js';
import { targetRow } from './target-rows.js';
import { breachText, judgeTolerance, notChecked, type ToleranceCheck } from './tolerance.js';
import { ToleranceHistory } from './tolerance-history.js';

/** The recon reason of a metric the run could not finish; the abort reason says why (service shutdown, SIGTERM). */
function interrupted(signal: AbortSignal, cause?: unknown): PipelineError {
  const why = signal.reason instanceof Error ? signal.reason.message : 'interrupted';
  return new PipelineError('PIPELINE_EXECUTION_ERROR', `Run was interrupted (${why}) before this metric finished`, { cause });
}

/** One metric's try: executed (values ready to write) or failed, never both; with its tolerance check once judged. */
type Attempt = Executed | Failed;
interface AttemptStart {
  metric: MetricDefinition;
  startedAt: Date;
  /** The resolved {partition_info} date once known, kept whatever happens to the metric after. */
  partitionDate?: string;
  tolerance?: ToleranceCheck;
}
interface Executed extends AttemptStart {
  values: MetricValues;
}
interface Failed extends AttemptStart {
  failure: PipelineError;
}

/** A metric whose fate is known: its outcome for the run result and its recon entry. */
interface Settled {
  outcome: MetricOutcome;
  entry: ReconEntry;
}

const isExecuted = (attempt: Attempt): attempt is Executed => 'values' in attempt;
const isFailed = (attempt: Attempt): attempt is Failed => 'failure' in attempt;

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
    logger.error({ error_category: failure.error_category, ...failureLogFields(error) }, 'run failed before any metric ran');
    // A recon table that cannot take rows cannot take this one either.
    if (failure.error_category === 'RECON_CREATION_ERROR') return finish([], failure);
    const reconFailure = await writeRecon([runRowEntry(parameters, failure)], parameters, deps, control.runId, now);
    // The run's own failure stays its category; a recon write that failed too is added to the reason.
    return finish([], reconFailure ? { ...failure, reason: oneLineReason(`${failure.reason}; ${reconFailure.reason}`) } : failure);
  }

  control.onMetricsPlanned?.(selected.map(plannedMetric));
  logger.info({ metrics: selected.length }, 'run started');
  const settled = await executeAndWrite(selected, parameters, deps, control, now);
  const reconFailure = await writeRecon(settled.map(({ entry }) => entry), parameters, deps, control.runId, now);
  const result = finish(settled.map(({ outcome }) => outcome), reconFailure);
  logger.info({ status: result.status, metrics: result.metrics.length }, 'run finished');
  return result;
}

/**
 * The run-level steps: any failure here fails the run as a whole, before any
 * metric runs. A dry run only checks the recon table; a run also creates it
 * where the warehouse creates missing tables.
 */
export async function planRun(parameters: RunParameters, deps: PipelineDependencies, options: { dryRun?: boolean } = {}): Promise<MetricDefinition[]> {
  await (options.dryRun ? checkReconTable : prepareReconTable)(deps.warehouse, parameters.recon_table);
  const text = await deps.configSource.read(parameters.gcs_path);
  const selected = selectMetrics(parseMetricConfig(text, parameters.gcs_path), parameters.dependencies, parameters.metric_ids);
  if (selected.some((metric) => usesPartitionInfo(metric.sql))) {
    await checkPartitionInfoTable(deps.warehouse, parseTableRef(parameters.partition_info_table));
  }
  return selected;
}

/**
 * Runs the metrics in a bounded pool and, per target table, writes the batch
 * of those that passed as soon as the table's last metric is done. Their
 * history for tolerance checks is read meanwhile, one query per table. A
 * metric is settled (recorded) when its fate is known: failed, or written.
 */
async function executeAndWrite(
  selected: MetricDefinition[],
  parameters: RunParameters,
  deps: PipelineDependencies,
  control: RunControl,
  now: () => Date,
): Promise<Settled[]> {
  const pool = new PQueue({ concurrency: deps.settings.metricConcurrency });
  const context = executionContext(selected, parameters, deps, control);
  const settled = new Map<MetricDefinition, Settled>();
  const record = (attempt: Attempt) => {
    const done = settle(attempt, parameters, now());
    settled.set(attempt.metric, done);
    control.onMetricDone?.(done.outcome);
  };
  await Promise.all(
    [...groupByTarget(selected)].map(async ([table, metrics]) => {
      const history = readHistory(table, metrics, parameters, context);
      const tried = await Promise.all(
        metrics.map((metric) => pool.add(() => attemptMetric(metric, context, control, now), { throwOnTimeout: true })),
      );
      const attempts = tried.map(applyTolerance(await history, context.logger));
      attempts.filter(isFailed).forEach(record);
      (await writeTargetTable(table, attempts.filter(isExecuted), parameters, deps, control.runId, now)).forEach(record);
    }),
  );
  return selected.map((metric) => settled.get(metric) as Settled);
}

export function executionContext(
  selected: MetricDefinition[],
  parameters: RunParameters,
  deps: PipelineDependencies,
  control: Pick<RunControl, 'runId' | 'signal'>,
): MetricExecutionContext {
  const { warehouse, settings, logger } = deps;
  const lookupOptions = { timeoutMs: settings.queryTimeoutMs, runId: control.runId, ...(control.signal ? { signal: control.signal } : {}) };
  const partitionInfoTable = parseTableRef(parameters.partition_info_table);
  return {
    warehouse,
    runId: control.runId,
    runDate: parameters.run_date,
    env: parameters.env,
    lookupPartitionDate: createPartitionDateLookup(warehouse, partitionInfoTable, selected.map((metric) => metric.sql), lookupOptions),
    timeoutMs: settings.queryTimeoutMs,
    ...(settings.maxBytesBilled !== undefined ? { maxBytesBilled: settings.maxBytesBilled } : {}),
    logger,
    ...(control.signal ? { signal: control.signal } : {}),
  };
}

/** The history of the table's metrics that have a tolerance; none is read when none has. */
async function readHistory(table: string, metrics: MetricDefinition[], parameters: RunParameters, context: MetricExecutionContext) {
  const checked = metrics.filter((metric) => metric.tolerance !== undefined);
  if (checked.length === 0) return undefined;
  const { warehouse, timeoutMs, signal } = context;
  return ToleranceHistory.read({ warehouse, table, metrics: checked, runDate: parameters.run_date, timeoutMs, ...(signal ? { signal } : {}) });
}

/** Judges an executed metric against its history; a blocking breach turns it into a failure, so it is not written. */
function applyTolerance(history: ToleranceHistory | undefined, logger: Logger) {
  return (attempt: Attempt): Attempt => {
    const rule = attempt.metric.tolerance;
    if (!isExecuted(attempt) || rule === undefined || history === undefined) return attempt;
    const { metric, startedAt, partitionDate } = attempt;
    const { check, failure } = judgeTolerance(rule, attempt.values.metric_output, history.earlierValues(metric.metric_id));
    if (check.outcome === 'Failed') logger.warn({ metric_id: metric.metric_id, tolerance: check, severity: rule.severity }, 'tolerance breached');
    return failure ? { metric, startedAt, partitionDate, failure, tolerance: check } : { ...attempt, tolerance: check };
  };
}

/** Executes one metric; never throws: a failure is the attempt's result, logged by category. */
async function attemptMetric(
  metric: MetricDefinition,
  context: MetricExecutionContext,
  control: RunControl,
  now: () => Date,
): Promise<Attempt> {
  const startedAt = now();
  const { signal } = context;
  if (signal?.aborted) return { metric, startedAt, failure: interrupted(signal) };
  control.onMetricStarted?.(plannedMetric(metric));
  let partitionDate: string | undefined;
  try {
    const { request, resolved } = await metricQuery(metric, context);
    partitionDate = resolved.partitionDate;
    return { metric, startedAt, partitionDate, values: await queryMetricValues(metric, request, context) };
  } catch (error) {
    const failure = signal?.aborted
      ? interrupted(signal, error)
      : error instanceof PipelineError
        ? error
        : new PipelineError('UNKNOWN_ERROR', oneLineReason(error), { cause: error });
    context.logger.warn({ metric_id: metric.metric_id, error_category: failure.category, ...failureLogFields(failure) }, 'metric failed');
    return { metric, startedAt, partitionDate, failure };
  }
}

/**
 * Writes one target table's passed metrics as one atomic batch. If the write
 * fails, each of them fails with BIGQUERY_WRITE_ERROR instead.
 */
async function writeTargetTable(
  table: string,
  executed: Executed[],
  parameters: RunParameters,
  deps: PipelineDependencies,
  runId: string,
  now: () => Date,
): Promise<Attempt[]> {
  if (executed.length === 0) return [];
  try {
    const writtenAt = now();
    const rows = executed.map((item) => targetRow(item.metric, item.values, parameters.run_date, runId, writtenAt));
    await writeTargetBatch(deps.warehouse, table, rows);
    return executed;
  } catch (error) {
    deps.logger.error({ target_table: table, ...failureLogFields(error) }, 'target write failed');
    const failure = new PipelineError('BIGQUERY_WRITE_ERROR', `Write to ${table} failed: ${oneLineReason(error)}`);
    return executed.map(({ metric, startedAt, partitionDate }) => ({ metric, startedAt, partitionDate, failure }));
  }
}

/** The outcome and recon entry of a metric whose fate is known. */
function settle(item: Attempt, parameters: RunParameters, finishedAt: Date): Settled {
  const source = sourceTableOf(item.metric.sql);
  const failure = isFailed(item) ? item.failure : undefined;
  const values = isExecuted(item) ? item.values : undefined;
  const category = failure?.category ?? null;
  const tolerance = item.tolerance ?? (item.metric.tolerance ? notChecked(item.metric.tolerance) : null);
  const reason = failure ? oneLineReason(failure) : passedReason(tolerance);
  return {
    outcome: {
      metric_id: item.metric.metric_id,
      metric_name: item.metric.metric_name,
      status: failure ? 'Failed' : 'Passed',
      error_category: category,
      reason,
      target_table: item.metric.target_table,
      metric_output: values?.metric_output ?? null,
      tolerance,
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
      latest_source_parttn_dt: item.partitionDate ?? parameters.run_date,
      tolerance,
    },
  };
}

/** A passed metric's reason: the success text, and a breach of a warn-severity tolerance after it. */
function passedReason(tolerance: ToleranceCheck | null): string {
  return tolerance?.outcome === 'Failed' ? `${SUCCESS_REASON} ${breachText(tolerance)}` : SUCCESS_REASON;
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
    deps.logger.error(failureLogFields(error), 'recon write failed');
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
