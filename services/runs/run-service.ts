import { InvalidRunParametersError } from '../errors.js';
import type { DryRunReport } from '../pipeline/dry-run-report.js';
import type { RunParameters } from '../pipeline/run-parameters.js';
import { tableRefProblem } from '../table-ref.js';
import type { IdempotencyKey, IdempotencyStore } from './idempotency-store.js';
import type { ReconRuns, RunListFilter, RunPage } from './recon-runs.js';
import { FINISHED_RUN_STATUSES } from '../pipeline/run-outcome.js';
import { summaryOf, type RunDocument, type RunStatus, type RunSummary, type SkippedRun } from './run-document.js';
import { IdempotencyKeyReusedError, RunNotFoundError } from './run-errors.js';
import type { RunPool } from './run-pool.js';
import type { RunSelection } from './run-selection.js';

export interface Submission {
  runId: string;
  /** False when the request named a run already started: no second execution. */
  created: boolean;
}

/**
 * What callers of the service can do with runs: start one (at most once per
 * idempotency key, and once while an identical run is in flight), read one,
 * wait for one, list finished ones.
 */
export class RunService {
  constructor(
    private readonly pool: RunPool,
    private readonly recon: ReconRuns,
    private readonly idempotency: IdempotencyStore,
    private readonly defaultReconTable: string | undefined,
    private readonly selection: RunSelection,
  ) {}

  get draining(): boolean {
    return this.pool.draining;
  }

  /**
   * Starts a run, or names the one the request already started. metric_ids,
   * retry_failed_of and only_missing are resolved first, so their mistakes
   * answer at once; `skipped` when only_missing leaves nothing to run.
   */
  async start(parameters: RunParameters, idempotencyKey: IdempotencyKey | undefined): Promise<Submission | SkippedRun> {
    const existing = this.existing(parameters, idempotencyKey);
    if (existing !== undefined) return existing;
    const [plan] = await this.selection.plan(parameters);
    if (!plan?.parameters) return { status: 'skipped', run_date: parameters.run_date };
    return this.submit(parameters, idempotencyKey, plan.parameters);
  }

  /**
   * Synchronous on purpose: no await between looking for an existing run and accepting a new one, so concurrent
   * duplicates cannot both start. `planned` is what the run executes, when resolving the request narrowed it.
   */
  private submit(parameters: RunParameters, idempotencyKey: IdempotencyKey | undefined, planned = parameters): Submission {
    const existing = this.existing(parameters, idempotencyKey);
    if (existing !== undefined) return existing;
    const fingerprint = fingerprintOf(parameters);
    const run = this.pool.accept(planned, fingerprint);
    if (idempotencyKey !== undefined) this.idempotency.remember(idempotencyKey, run.runId, fingerprint);
    return { runId: run.runId, created: true };
  }

  /** The run this request already started: its idempotency key's, or an identical one in flight. */
  private existing(parameters: RunParameters, idempotencyKey: IdempotencyKey | undefined): Submission | undefined {
    const fingerprint = fingerprintOf(parameters);
    const claim = idempotencyKey === undefined ? undefined : this.idempotency.find(idempotencyKey);
    if (claim !== undefined) {
      if (claim.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(claim.value);
      return { runId: claim.value, created: false };
    }
    const identical = this.pool.findByFingerprint(fingerprint);
    if (identical === undefined) return undefined;
    if (idempotencyKey !== undefined) this.idempotency.remember(idempotencyKey, identical.runId, fingerprint);
    return { runId: identical.runId, created: false };
  }

  /**
   * Everything a run would do up to the warehouse write, with nothing written
   * (docs/contract.md#dry-run): metric_ids, retry_failed_of and only_missing
   * narrow the metrics as they would for the run; with nothing left, none is checked.
   */
  async dryRun(parameters: RunParameters): Promise<DryRunReport> {
    const [plan] = await this.selection.plan(parameters);
    return this.pool.dryRun(plan?.parameters ?? { ...parameters, metric_ids: [] });
  }

  /** A run in flight here, else as the recon table records it. */
  async find(runId: string, reconTable?: string): Promise<RunDocument> {
    const live = this.pool.find(runId);
    if (live !== undefined) return live.document();
    const table = this.reconTableOf(reconTable);
    const recorded = await this.recon.get(table, runId);
    if (recorded === undefined) throw new RunNotFoundError(runId, table);
    return recorded;
  }

  /** The final document once the run ends, or its current one after `maxMs`. */
  async waitFor(runId: string, reconTable: string, maxMs: number): Promise<RunDocument> {
    const outcome = this.pool.outcome(runId);
    if (outcome === undefined) return this.find(runId, reconTable);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), maxMs);
    });
    const finished = await Promise.race([outcome, timeout]);
    clearTimeout(timer);
    return finished ?? this.find(runId, reconTable);
  }

  /**
   * The first page starts with up to `limit` runs in flight on this instance
   * that write to the recon table asked for, the last accepted first;
   * `limit` and `next_offset` then count the finished runs the recon table holds.
   */
  async list(filter: RunListFilter, reconTable?: string): Promise<RunPage> {
    const table = this.reconTableOf(reconTable);
    const { run_date_from: from, run_date_to: to } = filter;
    if (from !== undefined && to !== undefined && to < from) {
      throw new InvalidRunParametersError([{ field: 'run_date_to', reason: `must not be before run_date_from (${from}), got '${to}'` }]);
    }
    const live = filter.offset === 0 ? this.liveSummaries(filter, table) : [];
    if (filter.status !== undefined && !isFinished(filter.status)) return { runs: live, next_offset: null };
    const finished = await this.recon.list(table, filter);
    // A run whose recon rows were just written can still be in flight for a moment: list it once.
    const liveIds = new Set(live.map((run) => run.run_id));
    return { runs: [...live, ...finished.runs.filter((run) => !liveIds.has(run.run_id))], next_offset: finished.next_offset };
  }

  shutdown(graceMs: number): Promise<void> {
    return this.pool.shutdown(graceMs);
  }

  private liveSummaries(filter: RunListFilter, reconTable: string): RunSummary[] {
    return this.pool
      .live()
      .filter((run) => run.parameters.recon_table === reconTable)
      .map((run) => summaryOf(run.document()))
      .filter((run) => filter.status === undefined || run.status === filter.status)
      .filter((run) => filter.run_date === undefined || run.run_date === filter.run_date)
      .filter((run) => (filter.run_date_from ?? run.run_date) <= run.run_date && run.run_date <= (filter.run_date_to ?? run.run_date))
      // A backfill puts hundreds of runs in flight at once: the page stays within its limit.
      .slice(0, filter.limit);
  }

  private reconTableOf(requested: string | undefined): string {
    const table = requested ?? this.defaultReconTable;
    if (table === undefined) {
      throw new InvalidRunParametersError([
        { field: 'recon_table', reason: 'is required as project.dataset.table when METRICS_DEFAULT_RECON_TABLE is not set' },
      ]);
    }
    const problem = tableRefProblem(table);
    if (problem !== undefined) throw new InvalidRunParametersError([{ field: 'recon_table', reason: problem }]);
    return table.trim();
  }
}

function isFinished(status: RunStatus): boolean {
  return (FINISHED_RUN_STATUSES as readonly RunStatus[]).includes(status);
}

/** Parameters that run the same work give the same text, whatever the order of dependencies and metric ids. */
export function fingerprintOf(parameters: RunParameters): string {
  const metricIds = parameters.metric_ids === undefined ? {} : { metric_ids: [...parameters.metric_ids].sort() };
  return JSON.stringify({ ...parameters, dependencies: [...parameters.dependencies].sort(), ...metricIds });
}
