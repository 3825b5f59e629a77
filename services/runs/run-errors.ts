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
  constructor(
    readonly runId: string,
    readonly reconTable: string,
  ) {
    super(`No run '${runId}' is in flight here or recorded in ${reconTable}`);
  }
}

/** retry_failed_of named a run still queued or running here: its failures are not known yet. */
export class RunInProgressError extends RunServiceError {
  override name = 'RunInProgressError';
  readonly code = 'RUN_IN_PROGRESS';
  constructor(runId: string) {
    super(`Run ${runId} is still queued or running; retry its failed metrics once it has finished`);
  }
}

/** retry_failed_of named a run in which no selected metric Failed. */
export class NothingToRetryError extends RunServiceError {
  override name = 'NothingToRetryError';
  readonly code = 'NOTHING_TO_RETRY';
  constructor(runId: string) {
    super(`Run ${runId} has no Failed metric among the selected ones: nothing to retry`);
  }
}

/** An idempotency key was used again with other run parameters: replaying the old run would hide the mistake. */
export class IdempotencyKeyReusedError extends RunServiceError {
  override name = 'IdempotencyKeyReusedError';
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor(id: string, started: 'run' | 'backfill' = 'run') {
    super(`This idempotency key already started ${started} ${id} with other parameters`);
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
