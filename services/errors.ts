/** The error categories of docs/contract.md#error-categories; names are kept whatever the warehouse. */
export const ERROR_CATEGORIES = [
  'PARTITION_VALIDATION_ERROR',
  'GCS_READ_ERROR',
  'JSON_VALIDATION_ERROR',
  'SQL_EXECUTION_ERROR',
  'DATA_QUALITY_ERROR',
  'BIGQUERY_WRITE_ERROR',
  'RECON_CREATION_ERROR',
  'PIPELINE_EXECUTION_ERROR',
  'UNKNOWN_ERROR',
] as const;

export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

/** One problem with one named input field. */
export interface FieldProblem {
  field: string;
  reason: string;
  /** Index of the config record, for config problems. */
  index?: number;
  metric_id?: string;
}

/** A failure of the pipeline or of one metric, carrying its contracts category. */
export class PipelineError extends Error {
  override name = 'PipelineError';
  constructor(
    readonly category: ErrorCategory,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The config file broke rules of docs/contract.md#config-file; every problem is listed. */
export class ConfigValidationError extends PipelineError {
  override name = 'ConfigValidationError';
  constructor(readonly problems: FieldProblem[]) {
    super('JSON_VALIDATION_ERROR', describeProblems('Invalid metric config', problems));
  }
}

/** Run parameters broke rules of docs/contract.md#run-parameters: CLI exit 64, HTTP 400. Nothing was read or written. */
export class InvalidRunParametersError extends Error {
  override name = 'InvalidRunParametersError';
  constructor(readonly problems: FieldProblem[]) {
    super(describeProblems('Invalid run parameters', problems));
  }
}

/** A warehouse query ran past its timeout and was interrupted or cancelled. */
export class QueryTimeoutError extends PipelineError {
  override name = 'QueryTimeoutError';
  constructor(timeoutMs: number) {
    super('SQL_EXECUTION_ERROR', `Query exceeded the timeout of ${timeoutMs} ms and was cancelled`);
  }
}

/** A query would bill more bytes than the cost cap allows, so it was not run (docs/contract.md#cost-cap). */
export class BytesBilledLimitError extends PipelineError {
  override name = 'BytesBilledLimitError';
  constructor(
    /** What the warehouse says the query would bill (or process). */
    readonly bytes: string,
    readonly limit: string,
    options?: { cause?: unknown },
  ) {
    super('SQL_EXECUTION_ERROR', `Query would bill ${bytes} bytes, over the limit ${limit} (METRICS_MAX_BYTES_BILLED)`, options);
  }
}

export function describeProblem(problem: FieldProblem): string {
  const where: string[] = [];
  if (problem.index !== undefined) where.push(`record ${problem.index}`);
  if (problem.metric_id !== undefined) where.push(`metric_id ${problem.metric_id}`);
  const prefix = where.length > 0 ? `${where.join(', ')}: ` : '';
  return `${prefix}${problem.field}: ${problem.reason}`;
}

function describeProblems(title: string, problems: FieldProblem[]): string {
  return `${title}: ${problems.map(describeProblem).join('; ')}`;
}

/** The category of any thrown value: its own when typed, UNKNOWN_ERROR otherwise. */
export function categoryOf(error: unknown, fallback: ErrorCategory = 'UNKNOWN_ERROR'): ErrorCategory {
  return error instanceof PipelineError ? error.category : fallback;
}

/** A one-line reason of at most `max` characters, as the recon table stores it. */
export function oneLineReason(error: unknown, max = 500): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.replace(/\s+/g, ' ').trim() || 'Unknown error';
  return line.length <= max ? line : `${line.slice(0, max - 3)}...`;
}
