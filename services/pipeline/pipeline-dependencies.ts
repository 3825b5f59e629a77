import type { Logger } from 'pino';
import type { ConfigSource } from '../config-source/config-source.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { MetricOutcome } from './run-outcome.js';

export interface PipelineSettings {
  /** Per-query timeout (docs/contract.md#metric-execution: default 180 s). */
  queryTimeoutMs: number;
  /** Metrics of one run executing at once. */
  metricConcurrency: number;
  /** The cost cap of each metric's query, integer bytes as text (docs/contract.md#cost-cap); none when absent. */
  maxBytesBilled?: string;
}

/** What a run needs from the outside, passed in so tests pick the adapters. */
export interface PipelineDependencies {
  warehouse: Warehouse;
  configSource: ConfigSource;
  logger: Logger;
  settings: PipelineSettings;
  /** The clock for pipeline_execution_ts and load_ts. */
  now?: () => Date;
}

/** A selected metric, announced before any SQL runs (progress displays, in-flight run documents). */
export interface PlannedMetric {
  metric_id: string;
  metric_name: string;
  target_table: string;
}

export interface RunControl {
  runId: string;
  /** Aborting interrupts the run: unfinished metrics fail as interrupted (PIPELINE_EXECUTION_ERROR). */
  signal?: AbortSignal;
  onMetricsPlanned?: (metrics: PlannedMetric[]) => void;
  onMetricStarted?: (metric: PlannedMetric) => void;
  onMetricDone?: (outcome: MetricOutcome) => void;
}
