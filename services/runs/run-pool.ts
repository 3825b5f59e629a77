import { randomUUID } from 'node:crypto';
import PQueue from 'p-queue';
import { recordFailedRuns } from '../pipeline/failed-runs.js';
import { dryRunPipeline } from '../pipeline/dry-run.js';
import type { DryRunReport } from '../pipeline/dry-run-report.js';
import type { PipelineDependencies } from '../pipeline/pipeline-dependencies.js';
import type { RunFailure } from '../pipeline/run-outcome.js';
import type { RunParameters } from '../pipeline/run-parameters.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import { LiveRun } from './live-run.js';
import { documentOfResult, type RunDocument } from './run-document.js';
import { RunQueueFullError, ServiceDrainingError } from './run-errors.js';

/** A run takes minutes; a caller retrying after this finds a free slot soon after one frees. */
const RETRY_AFTER_SECONDS = 30;

/** What a series run that never started records (docs/contract.md#backfills). */
const NOT_STARTED: RunFailure = { error_category: 'PIPELINE_EXECUTION_ERROR', reason: 'not started: service shutdown' };

/** A run to accept: what it executes, and the fingerprint identical requests share. */
export interface RunRequest {
  parameters: RunParameters;
  fingerprint: string;
}

export interface RunPoolOptions {
  /** Runs executing at once. */
  runsInFlight: number;
  /** Accepted runs waiting for a slot. */
  queueSize: number;
  dependencies: PipelineDependencies;
  now: () => Date;
}

interface Entry {
  run: LiveRun;
  outcome: Promise<RunDocument>;
  /** Part of a series (a backfill): recorded as not started if the instance shuts down first. */
  inSeries: boolean;
}

/**
 * The runs of this instance: a bounded number executing, a bounded queue
 * waiting, nothing past that. Shutdown stops admission, lets runs go on for
 * a grace period, then interrupts every run left, queued ones included, so
 * each accepted run leaves recon rows.
 */
export class RunPool {
  readonly #queue: PQueue;
  readonly #entries = new Map<string, Entry>();
  /** Series runs the shutdown recorded as not started, with their final documents. */
  readonly #notStarted = new Map<string, Promise<RunDocument>>();
  #draining = false;

  constructor(private readonly options: RunPoolOptions) {
    this.#queue = new PQueue({ concurrency: options.runsInFlight });
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Queues a new run; throws ServiceDrainingError or RunQueueFullError instead of accepting it. */
  accept(parameters: RunParameters, fingerprint: string): LiveRun {
    this.#admit();
    const run = new LiveRun(randomUUID(), parameters, fingerprint, this.options.now);
    this.#entries.set(run.runId, { run, outcome: this.#enqueue(run), inSeries: false });
    return run;
  }

  /**
   * Queues runs that execute one after another in this order (a backfill's
   * dates): each enters the queue only when the one before it has ended, so a
   * series takes one queue place, never runs two at once, and other callers'
   * runs get their turns in between. Every run has its id at once.
   */
  acceptSeries(requests: RunRequest[]): LiveRun[] {
    this.#admit();
    const runs = requests.map(({ parameters, fingerprint }) => new LiveRun(randomUUID(), parameters, fingerprint, this.options.now));
    let previous: Promise<RunDocument> | undefined;
    for (const run of runs) {
      const outcome: Promise<RunDocument> = previous === undefined ? this.#enqueue(run) : previous.then(() => this.#enqueue(run));
      this.#entries.set(run.runId, { run, outcome, inSeries: true });
      previous = outcome;
    }
    return runs;
  }

  /**
   * A dry run, answered when done. It takes no run slot and is not queued:
   * it writes nothing and runs no metric query. Refused while draining, as new runs are.
   */
  dryRun(parameters: RunParameters): Promise<DryRunReport> {
    if (this.#draining) throw new ServiceDrainingError();
    return dryRunPipeline(parameters, this.options.dependencies, { runId: randomUUID() });
  }

  find(runId: string): LiveRun | undefined {
    return this.#entries.get(runId)?.run;
  }

  /** Every run in flight here, the last accepted first. */
  live(): LiveRun[] {
    return [...this.#entries.values()].map((entry) => entry.run).reverse();
  }

  findByFingerprint(fingerprint: string): LiveRun | undefined {
    return [...this.#entries.values()].find((entry) => entry.run.fingerprint === fingerprint)?.run;
  }

  /** The final document of a run in flight, when it ends; undefined for a run not in flight. */
  outcome(runId: string): Promise<RunDocument> | undefined {
    return this.#entries.get(runId)?.outcome;
  }

  /**
   * Stops admission and records series runs not started yet as such at once;
   * waits up to `graceMs` for runs to end, then interrupts the rest and waits
   * for their recon rows.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.#draining = true;
    this.#recordUnstartedSeriesRuns();
    const timer = setTimeout(() => this.#interruptAll(), graceMs);
    try {
      // Every outcome, not the queue's idleness: a series' next run enters the queue only after the one before it ends.
      await Promise.all([...this.#entries.values()].map((entry) => entry.outcome));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Throws ServiceDrainingError or RunQueueFullError instead of taking one more queue place. */
  #admit(): void {
    if (this.#draining) throw new ServiceDrainingError();
    const { runsInFlight, queueSize } = this.options;
    if (this.#queue.pending + this.#queue.size >= runsInFlight + queueSize) throw new RunQueueFullError(RETRY_AFTER_SECONDS);
  }

  #enqueue(run: LiveRun): Promise<RunDocument> {
    return this.#queue.add(() => this.#execute(run), { throwOnTimeout: true });
  }

  /** One `__run__` row each, in one write per recon table, for the series runs that will never start. */
  #recordUnstartedSeriesRuns(): void {
    const unstarted = [...this.#entries.values()].filter((entry) => entry.inSeries && !entry.run.started).map((entry) => entry.run);
    if (unstarted.length === 0) return;
    const { dependencies } = this.options;
    dependencies.logger.warn({ runs: unstarted.map((run) => run.runId) }, 'Shutting down: recording backfill runs not started');
    const recorded = recordFailedRuns(unstarted, NOT_STARTED, dependencies);
    for (const run of unstarted) this.#notStarted.set(run.runId, recorded.then((resultOf) => documentOfResult(resultOf(run), run.acceptedAt)));
  }

  #interruptAll(): void {
    const logger = this.options.dependencies.logger;
    if (this.#entries.size > 0) logger.warn({ runs: [...this.#entries.keys()] }, 'Shutdown grace period over: interrupting runs');
    for (const { run } of this.#entries.values()) run.controller.abort(new Error('service shutdown'));
    // Queued runs start now with their signal already aborted, so the
    // pipeline records each of their metrics as interrupted before the process goes.
    this.#queue.concurrency = Number.POSITIVE_INFINITY;
  }

  async #execute(run: LiveRun): Promise<RunDocument> {
    const notStarted = this.#notStarted.get(run.runId);
    if (notStarted === undefined) run.markStarted();
    try {
      // The pipeline logs the run's progress itself, with run_id bound.
      return await (notStarted ?? documentOfPipelineRun(run, this.options.dependencies));
    } catch (error) {
      // runPipeline reports every failure in its result; reaching this is a bug.
      this.options.dependencies.logger.error({ err: error, run_id: run.runId }, 'Run crashed');
      return {
        ...run.document(),
        status: 'failed',
        run_failure: { error_category: 'UNKNOWN_ERROR', reason: 'The run stopped on an internal error; see the service logs' },
        finished_at: this.options.now().toISOString(),
      };
    } finally {
      this.#entries.delete(run.runId);
      this.#notStarted.delete(run.runId);
    }
  }
}

async function documentOfPipelineRun(run: LiveRun, dependencies: PipelineDependencies): Promise<RunDocument> {
  return documentOfResult(await runPipeline(run.parameters, dependencies, run.control()), run.acceptedAt);
}
