import type { PlannedMetric, RunControl } from '../pipeline/pipeline-dependencies.js';
import type { MetricOutcome } from '../pipeline/run-outcome.js';
import type { RunParameters } from '../pipeline/run-parameters.js';
import { countsOf, metricEntryOf, parametersDocumentOf, type MetricEntry, type RunDocument } from './run-document.js';

/**
 * A run accepted by this instance and not finished yet: what GET /runs/:id
 * answers until the recon table holds the run. The pipeline's callbacks keep
 * it current; aborting `controller` interrupts the run.
 */
export class LiveRun {
  readonly controller = new AbortController();
  readonly acceptedAt: string;
  #startedAt: string | null = null;
  #planned: PlannedMetric[] = [];
  readonly #metricStarts = new Map<string, string>();
  readonly #outcomes = new Map<string, MetricOutcome>();

  constructor(
    readonly runId: string,
    readonly parameters: RunParameters,
    /** Identical parameters give identical fingerprints: such a request joins this run. */
    readonly fingerprint: string,
    private readonly now: () => Date,
  ) {
    this.acceptedAt = now().toISOString();
  }

  get started(): boolean {
    return this.#startedAt !== null;
  }

  markStarted(): void {
    this.#startedAt = this.now().toISOString();
  }

  control(): RunControl {
    return {
      runId: this.runId,
      signal: this.controller.signal,
      onMetricsPlanned: (metrics) => {
        this.#planned = [...metrics];
      },
      onMetricStarted: (metric) => {
        this.#metricStarts.set(metric.metric_id, this.now().toISOString());
      },
      onMetricDone: (outcome) => {
        this.#outcomes.set(outcome.metric_id, outcome);
      },
    };
  }

  document(): RunDocument {
    const metrics = this.#planned.map((metric) => this.#entryOf(metric));
    return {
      run_id: this.runId,
      status: this.started ? 'running' : 'queued',
      source: 'instance',
      parameters: parametersDocumentOf(this.parameters),
      counts: countsOf(metrics),
      metrics,
      run_failure: null,
      retry_of: this.parameters.retry_failed_of ?? null,
      accepted_at: this.acceptedAt,
      started_at: this.#startedAt,
      finished_at: null,
    };
  }

  #entryOf(metric: PlannedMetric): MetricEntry {
    const outcome = this.#outcomes.get(metric.metric_id);
    if (outcome) return metricEntryOf(outcome);
    const startedAt = this.#metricStarts.get(metric.metric_id) ?? null;
    return {
      ...metric,
      status: startedAt === null ? 'pending' : 'running',
      error_category: null,
      reason: null,
      started_at: startedAt,
      finished_at: null,
      duration_ms: null,
      tolerance: null,
    };
  }
}
