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

/**
 * metric_ids named metrics that the selected dependencies do not hold. Found
 * before the run is accepted it is a bad parameter; found by the run itself
 * (the config changed in between) it fails the run as a whole.
 */
export class UnselectedMetricsError extends PipelineError {
  override name = 'UnselectedMetricsError';
  constructor(readonly reason: string) {
    super('JSON_VALIDATION_ERROR', `metric_ids: ${reason}`);
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

/** The longest reason a recon row stores (excldd_reason_tx, docs/contract.md#recon-columns). */
export const MAX_REASON_CHARS = 500;

/** A one-line reason of at most `max` characters (code points, as the warehouse counts STRING length), as the recon table stores it. */
export function oneLineReason(error: unknown, max = MAX_REASON_CHARS): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = Array.from(text.replace(/\s+/g, ' ').trim() || 'Unknown error');
  return line.length <= max ? line.join('') : `${line.slice(0, max - 3).join('')}...`;
}

/** Longest excerpt of a caller's value an error message quotes: enough to recognise it, never a whole file or a 100,000-character name. */
const MAX_QUOTED_CHARS = 80;

/** A caller's value as an error quotes it: text in quotes (long text cut, with its length), anything else by its JSON type, never '[object Object]'. */
export function quotedValue(value: unknown): string {
  if (typeof value === 'string') {
    const chars = Array.from(value);
    return chars.length <= MAX_QUOTED_CHARS ? `'${value}'` : `'${chars.slice(0, MAX_QUOTED_CHARS).join('')}...' (${chars.length} characters)`;
  }
  if (value === undefined || value === null) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `the ${typeof value} ${JSON.stringify(value)}`;
}

/** A reason lists at most this many of a caller's bad values. */
const MAX_LISTED_VALUES = 10;

/** Values as a reason lists them: the first few, each quoted as quotedValue does, and how many more. */
export function quotedList(values: string[]): string {
  const shown = values.slice(0, MAX_LISTED_VALUES).map(quotedValue).join(', ');
  return values.length > MAX_LISTED_VALUES ? `${shown} and ${values.length - MAX_LISTED_VALUES} more` : shown;
}

/**
 * What a log line says about a failure: an expected one (a categorised
 * PipelineError: bad config, SQL error, data quality) by its reason alone; a
 * stack only helps for the unexpected, so only those carry the error itself.
 */
export function failureLogFields(error: unknown): { reason: string } | { err: unknown } {
  return error instanceof PipelineError && error.category !== 'UNKNOWN_ERROR' ? { reason: oneLineReason(error) } : { err: error };
}
