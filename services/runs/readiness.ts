import type { Warehouse } from '../warehouse/warehouse.js';
import { ServiceDrainingError, WarehouseUnreachableError } from './run-errors.js';

/** A load balancer waits about this long; an answer later than that is no answer. */
const PING_TIMEOUT_MS = 5_000;

/** Ready: not shutting down, and the warehouse answers a trivial query in time. */
export async function checkReadiness(draining: boolean, warehouse: Warehouse): Promise<void> {
  if (draining) throw new ServiceDrainingError();
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
