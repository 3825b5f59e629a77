import { BytesBilledLimitError, PipelineError, type ErrorCategory } from '../../errors.js';

/** The shape BigQuery reports errors in, in error bodies and in a job's status. */
export interface BigQueryErrorProto {
  reason?: string;
  message?: string;
  location?: string;
}

/** A job that BigQuery ran and that ended with status.errorResult set. */
export class BigQueryJobError extends Error {
  override name = 'BigQueryJobError';
  readonly reason: string | undefined;
  constructor(
    readonly jobId: string,
    errorResult: BigQueryErrorProto,
  ) {
    super(errorResult.message ?? `Job ${jobId} failed (${errorResult.reason ?? 'no reason given'})`);
    this.reason = errorResult.reason;
  }
}

const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);
const TRANSIENT_REASONS = new Set(['rateLimitExceeded', 'backendError', 'internalError']);
// A request whose answer never came back: safe to repeat because every job has a fixed id.
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/** The HTTP status of a failed client call, when it got that far. */
export function httpStatusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The `reason` fields of a client error or a failed job. */
function reasonsOf(error: unknown): string[] {
  if (error instanceof BigQueryJobError) return error.reason === undefined ? [] : [error.reason];
  const errors = (error as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((item: BigQueryErrorProto) => item?.reason).filter((reason): reason is string => typeof reason === 'string');
}

/**
 * Transient: worth trying again (docs/contract.md#warehouses). A status of 400, 403 or 404 is
 * final, except that BigQuery reports rateLimitExceeded as 403, and that reason
 * is named transient by the same contract.
 */
export function isTransientBigQueryError(error: unknown): boolean {
  if (reasonsOf(error).some((reason) => TRANSIENT_REASONS.has(reason))) return true;
  const status = httpStatusOf(error);
  if (status !== undefined) return TRANSIENT_STATUS.has(status);
  const networkCode = (error as { code?: unknown } | undefined)?.code;
  return typeof networkCode === 'string' && NETWORK_CODES.has(networkCode);
}

/** Two writers touched the same table; BigQuery aborted one, which may simply run again. */
export function isConcurrentUpdate(error: unknown): boolean {
  return error instanceof Error && /concurrent update/i.test(error.message);
}

// BigQuery's words when a job would bill more than its maximumBytesBilled.
const BYTES_BILLED_LIMIT = /limit for bytes billed: (\d+)\. (\d+) or higher required/;

/** A PipelineError of `category` that keeps BigQuery's own message; a job over its bytes limit says so as the cost cap does. */
export function toPipelineError(error: unknown, category: ErrorCategory): PipelineError {
  if (error instanceof PipelineError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const overLimit = reasonsOf(error).includes('bytesBilledLimitExceeded') ? BYTES_BILLED_LIMIT.exec(message) : null;
  if (overLimit) return new BytesBilledLimitError(overLimit[2] as string, overLimit[1] as string, { cause: error });
  return new PipelineError(category, `BigQuery: ${message}`, { cause: error });
}
