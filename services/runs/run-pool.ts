import { randomUUID } from 'node:crypto';
import PQueue from 'p-queue';
import { dryRunPipeline } from '../pipeline/dry-run.js';
import type { DryRunReport } from '../pipeline/dry-run-report.js';
import type { PipelineDependencies } from '../pipeline/pipeline-dependencies.js';
import type { RunParameters } from '../pipeline/run-parameters.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import { LiveRun } from './live-run.js';
import { documentOfResult, type RunDocument } from './run-document.js';
import { RunQueueFullError, ServiceDrainingError } from './run-errors.js';

/** A run takes minutes; a caller retrying after this finds a free slot soon after one frees. */
const RETRY_AFTER_SECONDS = 30;

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
  #draining = false;

  constructor(private readonly options: RunPoolOptions) {
    this.#queue = new PQueue({ concurrency: options.runsInFlight });
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Queues a new run; throws ServiceDrainingError or RunQueueFullError instead of accepting it. */
  accept(parameters: RunParameters, fingerprint: string): LiveRun {
    if (this.#draining) throw new ServiceDrainingError();
    const { runsInFlight, queueSize, now } = this.options;
    if (this.#queue.pending + this.#queue.size >= runsInFlight + queueSize) throw new RunQueueFullError(RETRY_AFTER_SECONDS);
    const run = new LiveRun(randomUUID(), parameters, fingerprint, now);
    const outcome = this.#queue.add(() => this.#execute(run), { throwOnTimeout: true });
    this.#entries.set(run.runId, { run, outcome });
    return run;
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

  /** Stops admission, waits up to `graceMs` for runs to end, then interrupts the rest and waits for their recon rows. */
  async shutdown(graceMs: number): Promise<void> {
    this.#draining = true;
    const timer = setTimeout(() => this.#interruptAll(), graceMs);
    try {
      await this.#queue.onIdle();
    } finally {
      clearTimeout(timer);
    }
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
    run.markStarted();
    try {
      // The pipeline logs the run's progress itself, with run_id bound.
      return documentOfResult(await runPipeline(run.parameters, this.options.dependencies, run.control()), run.acceptedAt);
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
    }
  }
}
