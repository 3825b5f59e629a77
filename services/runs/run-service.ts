import { InvalidRunParametersError } from '../errors.js';
import type { DryRunReport } from '../pipeline/dry-run-report.js';
import type { RunParameters } from '../pipeline/run-parameters.js';
import { tableRefProblem } from '../table-ref.js';
import type { IdempotencyStore } from './idempotency-store.js';
import type { ReconRuns, RunListFilter, RunPage } from './recon-runs.js';
import { FINISHED_RUN_STATUSES } from '../pipeline/run-outcome.js';
import { summaryOf, type RunDocument, type RunStatus, type RunSummary } from './run-document.js';
import { IdempotencyKeyReusedError, RunNotFoundError } from './run-errors.js';
import type { RunPool } from './run-pool.js';

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
  ) {}

  get draining(): boolean {
    return this.pool.draining;
  }

  /** Synchronous on purpose: no await between looking for an existing run and accepting a new one, so concurrent duplicates cannot both start. */
  submit(parameters: RunParameters, idempotencyKey: string | undefined): Submission {
    const fingerprint = fingerprintOf(parameters);
    const claim = idempotencyKey === undefined ? undefined : this.idempotency.find(idempotencyKey);
    if (claim !== undefined) {
      if (claim.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(claim.runId);
      return { runId: claim.runId, created: false };
    }
    const identical = this.pool.findByFingerprint(fingerprint);
    const run = identical ?? this.pool.accept(parameters, fingerprint);
    if (idempotencyKey !== undefined) this.idempotency.remember(idempotencyKey, run.runId, fingerprint);
    return { runId: run.runId, created: identical === undefined };
  }

  /** Everything a run would do up to the warehouse write, with nothing written (docs/contract.md#dry-run). */
  dryRun(parameters: RunParameters): Promise<DryRunReport> {
    return this.pool.dryRun(parameters);
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
   * The first page starts with the runs in flight on this instance (a bounded
   * few) that write to the recon table asked for; `limit` and `next_offset`
   * count the finished runs the recon table holds.
   */
  async list(filter: RunListFilter, reconTable?: string): Promise<RunPage> {
    const table = this.reconTableOf(reconTable);
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
      .filter((run) => filter.run_date === undefined || run.run_date === filter.run_date);
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

/** Parameters that run the same work give the same text, whatever the order of dependencies. */
function fingerprintOf(parameters: RunParameters): string {
  return JSON.stringify({ ...parameters, dependencies: [...parameters.dependencies].sort() });
}
