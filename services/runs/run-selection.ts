import { datesFrom } from '../calendar-date.js';
import type { ConfigSource } from '../config-source/config-source.js';
import { InvalidRunParametersError, UnselectedMetricsError } from '../errors.js';
import { selectMetrics } from '../pipeline/dependency-selection.js';
import { parseMetricConfig } from '../pipeline/metric-config.js';
import type { RunParameters } from '../pipeline/run-parameters.js';
import type { ReconRuns } from './recon-runs.js';
import { NothingToRetryError, RunInProgressError, RunNotFoundError } from './run-errors.js';

/** One date of a request: the parameters its run executes, or null when only_missing found nothing left to run. */
export interface DatePlan {
  run_date: string;
  parameters: RunParameters | null;
}

/**
 * Which metrics each date's run executes (docs/contract.md#metric-selection):
 * metric_ids, retry_failed_of and only_missing resolved against the config
 * and the recon table before any run is accepted, so a wrong id or run
 * answers at once instead of failing a run later. The runs then execute the
 * resolved list as their metric_ids.
 */
export class RunSelection {
  constructor(
    private readonly configSource: ConfigSource,
    private readonly recon: ReconRuns,
    /** Whether a run is still queued or running on this instance (the CLI has none). */
    private readonly inFlight: (runId: string) => boolean = () => false,
  ) {}

  /**
   * One plan per date from the request's run_date to `lastDate`, oldest
   * first. Throws InvalidRunParametersError (a metric id outside the
   * dependencies, a retry on another date), RunNotFoundError,
   * RunInProgressError or NothingToRetryError.
   */
  async plan(request: RunParameters, lastDate = request.run_date): Promise<DatePlan[]> {
    const dates = datesFrom(request.run_date, lastDate);
    const onDate = (date: string): RunParameters => ({ ...request, run_date: date });
    if (request.metric_ids === undefined && request.retry_failed_of === undefined && request.only_missing !== true) {
      return dates.map((date) => ({ run_date: date, parameters: onDate(date) }));
    }
    const retried = request.retry_failed_of;
    // Before any read: a run still in flight has no final failures to read yet.
    if (retried !== undefined && this.inFlight(retried)) throw new RunInProgressError(retried);
    let chosen = await this.#chosenMetricIds(request);
    if (retried !== undefined) chosen = await this.#failedMetricIds(request, retried, chosen);
    const passed = request.only_missing ? await this.recon.passedMetricIds(request.recon_table, request.run_date, lastDate) : undefined;
    return dates.map((date) => {
      // Unknown when the config could not be read: nothing to narrow by, and the run records why it fails.
      if (chosen === undefined) return { run_date: date, parameters: onDate(date) };
      const done = passed?.get(date);
      const missing = done === undefined ? chosen : chosen.filter((id) => !done.has(id));
      return { run_date: date, parameters: missing.length === 0 ? null : { ...onDate(date), metric_ids: missing } };
    });
  }

  /**
   * The selected dependencies' metrics, narrowed to metric_ids; undefined when
   * the config cannot be read or lacks a dependency, which the run itself then
   * records as its failure.
   */
  async #chosenMetricIds(request: RunParameters): Promise<string[] | undefined> {
    try {
      const metrics = parseMetricConfig(await this.configSource.read(request.gcs_path), request.gcs_path);
      return selectMetrics(metrics, request.dependencies, request.metric_ids).map((metric) => metric.metric_id);
    } catch (error) {
      if (error instanceof UnselectedMetricsError) throw new InvalidRunParametersError([{ field: 'metric_ids', reason: error.reason }]);
      return request.metric_ids;
    }
  }

  /** Of `chosen`, the metrics that Failed in run `runId`; every one of them when that run failed as a whole. */
  async #failedMetricIds(request: RunParameters, runId: string, chosen: string[] | undefined): Promise<string[] | undefined> {
    const original = await this.recon.get(request.recon_table, runId);
    if (original === undefined) throw new RunNotFoundError(runId, request.recon_table);
    if (original.parameters.run_date !== request.run_date) {
      const reason = `must be ${original.parameters.run_date}, the run_date of run ${runId} that retry_failed_of retries`;
      throw new InvalidRunParametersError([{ field: 'run_date', reason }]);
    }
    // Only a __run__ row: no metric ran, so every one is retried.
    if (original.metrics.length === 0) return chosen;
    const failed = original.metrics.filter((metric) => metric.status === 'Failed').map((metric) => metric.metric_id);
    const retried = chosen === undefined ? failed : failed.filter((id) => chosen.includes(id));
    if (retried.length === 0) throw new NothingToRetryError(runId);
    return retried;
  }
}
