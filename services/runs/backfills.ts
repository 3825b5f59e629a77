import { randomUUID } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { BackfillParameters } from '../pipeline/run-parameters.js';
import type { IdempotencyKey, IdempotencyStore } from './idempotency-store.js';
import { IdempotencyKeyReusedError } from './run-errors.js';
import type { RunPool } from './run-pool.js';
import { fingerprintOf } from './run-service.js';
import type { DatePlan, RunSelection } from './run-selection.js';

export const BackfillSchema = Type.Object(
  {
    backfill_id: Type.String(),
    runs: Type.Array(Type.Object({ run_id: Type.String(), run_date: Type.String() }), {
      description: 'One run per date, oldest first, executed in this order one at a time; each can be read with GET /runs/{run_id}',
    }),
    skipped: Type.Array(Type.String(), { description: 'Dates only_missing left out: every selected metric already had a Passed recon row' }),
  },
  { description: 'A backfill: the runs it queued and the dates it skipped' },
);
export type Backfill = Static<typeof BackfillSchema>;

export interface BackfillStart {
  backfill: Backfill;
  /** False when the request named a backfill already started: nothing new was queued. */
  created: boolean;
}

/**
 * Backfills (docs/contract.md#backfills): a date range as ordinary runs, one
 * per date, queued as one series of the run pool. Started at most once per
 * idempotency key, and once while an identical backfill is in flight.
 */
export class Backfills {
  /** Backfills with runs still in flight here, by fingerprint; pruned as they finish. */
  readonly #inFlight = new Map<string, Backfill>();

  constructor(
    private readonly pool: RunPool,
    private readonly selection: RunSelection,
    private readonly idempotency: IdempotencyStore<Backfill>,
  ) {}

  async start(request: BackfillParameters, idempotencyKey: IdempotencyKey | undefined): Promise<BackfillStart> {
    const fingerprint = fingerprintOf(request);
    const existing = this.#existing(fingerprint, idempotencyKey);
    if (existing !== undefined) return { backfill: existing, created: false };
    const { run_date_to: lastDate, ...firstRun } = request;
    const plans = await this.selection.plan(firstRun, lastDate);
    // Looked up again: an identical request may have started while this one read the config and the recon table.
    const started = this.#existing(fingerprint, idempotencyKey);
    if (started !== undefined) return { backfill: started, created: false };
    const backfill = this.#accept(plans, request);
    if (idempotencyKey !== undefined) this.idempotency.remember(idempotencyKey, backfill, fingerprint);
    if (backfill.runs.length > 0) this.#inFlight.set(fingerprint, backfill);
    return { backfill, created: true };
  }

  /** Queues the dates left to run as one series; each run's fingerprint is that of its date asked for alone. */
  #accept(plans: DatePlan[], request: BackfillParameters): Backfill {
    const { run_date_to: _lastDate, ...asked } = request;
    const requests = plans.flatMap(({ run_date, parameters }) =>
      parameters === null ? [] : [{ parameters, fingerprint: fingerprintOf({ ...asked, run_date }) }],
    );
    const runs = requests.length === 0 ? [] : this.pool.acceptSeries(requests);
    return {
      backfill_id: randomUUID(),
      runs: runs.map((run) => ({ run_id: run.runId, run_date: run.parameters.run_date })),
      skipped: plans.filter((plan) => plan.parameters === null).map((plan) => plan.run_date),
    };
  }

  /** The backfill this request already started: its idempotency key's, or an identical one in flight. */
  #existing(fingerprint: string, idempotencyKey: IdempotencyKey | undefined): Backfill | undefined {
    const claim = idempotencyKey === undefined ? undefined : this.idempotency.find(idempotencyKey);
    if (claim !== undefined) {
      if (claim.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(claim.value.backfill_id, 'backfill');
      return claim.value;
    }
    const identical = this.#identicalInFlight(fingerprint);
    if (identical !== undefined && idempotencyKey !== undefined) this.idempotency.remember(idempotencyKey, identical, fingerprint);
    return identical;
  }

  #identicalInFlight(fingerprint: string): Backfill | undefined {
    for (const [key, backfill] of this.#inFlight) {
      if (!backfill.runs.some((run) => this.pool.find(run.run_id) !== undefined)) this.#inFlight.delete(key);
    }
    return this.#inFlight.get(fingerprint);
  }
}
