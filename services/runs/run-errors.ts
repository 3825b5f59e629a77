/**
 * Why the run service refused a request. Each carries a stable `code`; the
 * HTTP layer maps the classes to status codes in one place, so nothing here
 * knows about HTTP.
 */
export abstract class RunServiceError extends Error {
  abstract readonly code: string;
}

/** Every run slot is busy and the queue is full; try again later. */
export class RunQueueFullError extends RunServiceError {
  override name = 'RunQueueFullError';
  readonly code = 'RUN_QUEUE_FULL';
  constructor(readonly retryAfterSeconds: number) {
    super(`The run queue is full; retry in ${retryAfterSeconds} s`);
  }
}

/** The instance is shutting down and takes no new runs. */
export class ServiceDrainingError extends RunServiceError {
  override name = 'ServiceDrainingError';
  readonly code = 'SERVICE_DRAINING';
  constructor() {
    super('The service is shutting down and accepts no new runs');
  }
}

export class RunNotFoundError extends RunServiceError {
  override name = 'RunNotFoundError';
  readonly code = 'RUN_NOT_FOUND';
  constructor(runId: string, reconTable: string) {
    super(`No run '${runId}' is in flight here or recorded in ${reconTable}`);
  }
}

/** An idempotency key was used again with other run parameters: replaying the old run would hide the mistake. */
export class IdempotencyKeyReusedError extends RunServiceError {
  override name = 'IdempotencyKeyReusedError';
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor(readonly runId: string) {
    super(`This idempotency key already started run ${runId} with other parameters`);
  }
}

/** No credentials, or credentials that do not verify. */
export class UnauthenticatedError extends RunServiceError {
  override name = 'UnauthenticatedError';
  readonly code = 'UNAUTHENTICATED';
}

/** Verified credentials of a caller that may not call. */
export class ForbiddenError extends RunServiceError {
  override name = 'ForbiddenError';
  readonly code = 'FORBIDDEN';
}

/** The warehouse did not answer its readiness ping. */
export class WarehouseUnreachableError extends RunServiceError {
  override name = 'WarehouseUnreachableError';
  readonly code = 'WAREHOUSE_UNREACHABLE';
}
