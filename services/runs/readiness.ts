import type { Warehouse } from '../warehouse/warehouse.js';
import { ServiceDrainingError, WarehouseUnreachableError } from './run-errors.js';

/** A load balancer waits about this long; an answer later than that is no answer. */
const PING_TIMEOUT_MS = 5_000;

/**
 * How long one ping's answer stands. Probes come every few seconds from every
 * load balancer and Cloud Run itself; without this each would cost a
 * BigQuery call.
 */
export const READINESS_CACHE_MS = 10_000;

/**
 * Ready: not shutting down, and the warehouse answered a trivial query in
 * time. The warehouse's answer (yes or no) is reused for READINESS_CACHE_MS,
 * and probes arriving while a ping is out share it.
 */
export class Readiness {
  #last: { at: number; answer: Promise<void> } | undefined;

  constructor(
    private readonly warehouse: Pick<Warehouse, 'ping'>,
    private readonly now: () => Date,
  ) {}

  async check(draining: boolean): Promise<void> {
    if (draining) throw new ServiceDrainingError();
    const at = this.now().getTime();
    if (this.#last === undefined || at - this.#last.at >= READINESS_CACHE_MS) this.#last = { at, answer: pingInTime(this.warehouse) };
    return this.#last.answer;
  }
}

async function pingInTime(warehouse: Pick<Warehouse, 'ping'>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
  });
  try {
    await Promise.race([warehouse.ping(), timeout]);
  } catch (error) {
    throw new WarehouseUnreachableError('The warehouse is not reachable', { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
