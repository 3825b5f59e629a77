import { daysBetweenInclusive, isCalendarDate } from '../calendar-date.js';
import { InvalidRunParametersError, quotedList, quotedValue, type FieldProblem } from '../errors.js';
import { tableRefProblem } from '../table-ref.js';
import { METRIC_ID } from './metric-config.js';

export const ENVIRONMENTS = ['DEV', 'BLD', 'INT', 'PRE', 'PRD'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The parameters of one run (docs/contract.md#run-parameters): the flags of the old job. */
export interface RunParameters {
  gcs_path: string;
  run_date: string;
  dependencies: string[];
  partition_info_table: string;
  env: Environment;
  recon_table: string;
  /** Only these metrics of the selected dependencies run; all of them when absent. */
  metric_ids?: string[];
  /** The earlier run whose Failed metrics this run retries; its recon rows name it as retry_of. */
  retry_failed_of?: string;
  /** Skip the metrics that already have a Passed recon row for the run_date. */
  only_missing?: boolean;
}

/** A backfill: one run per date from run_date to run_date_to, both included, oldest first. */
export interface BackfillParameters extends RunParameters {
  run_date_to: string;
}

/** Run parameters as a caller gives them, before validation. */
export type RawRunParameters = Partial<Record<keyof RunParameters, unknown>>;
export type RawBackfillParameters = Partial<Record<keyof BackfillParameters, unknown>>;

/** Run ids are UUIDs; anything visible up to this length is looked up, so older ids keep working. */
const RUN_ID = /^[\x21-\x7E]{1,200}$/;

export interface LocalConfigPolicy {
  /** Local paths and file:// URLs are accepted. */
  allowLocal: boolean;
  /** When set, gs:// paths must start with one of these prefixes. */
  gcsPrefixes?: string[];
}

/**
 * Checks every parameter and reports every problem at once; nothing is read
 * or written before this passes.
 */
export function validateRunParameters(raw: RawRunParameters, policy: LocalConfigPolicy): RunParameters {
  const problems: FieldProblem[] = [];
  const parameters = checkRunParameters(raw, policy, problems);
  if (problems.length > 0) throw new InvalidRunParametersError(problems);
  return parameters;
}

/**
 * The run parameters plus run_date_to, at most `maxDates` dates from run_date;
 * every problem of either at once.
 */
export function validateBackfillParameters(raw: RawBackfillParameters, policy: LocalConfigPolicy, maxDates: number): BackfillParameters {
  const problems: FieldProblem[] = [];
  const parameters = checkRunParameters(raw, policy, problems);
  const runDateTo = typeof raw.run_date_to === 'string' ? raw.run_date_to.trim() : '';
  const reason = runDateToProblem(runDateTo, raw.run_date_to, parameters.run_date, maxDates);
  if (reason) problems.push({ field: 'run_date_to', reason });
  if (parameters.retry_failed_of !== undefined) {
    problems.push({ field: 'retry_failed_of', reason: 'cannot be combined with run_date_to: a retry reruns the one date of the run it retries' });
  }
  if (problems.length > 0) throw new InvalidRunParametersError(problems);
  return { ...parameters, run_date_to: runDateTo };
}

/** Pushes a problem for each bad parameter; the parameters returned are valid only when none was pushed. */
function checkRunParameters(raw: RawRunParameters, policy: LocalConfigPolicy, problems: FieldProblem[]): RunParameters {
  const problem = (field: string, reason: string) => problems.push({ field, reason });

  const gcsPath = typeof raw.gcs_path === 'string' ? raw.gcs_path.trim() : '';
  const pathProblem = configPathProblem(gcsPath, policy);
  if (pathProblem) problem('gcs_path', pathProblem);

  const runDate = typeof raw.run_date === 'string' ? raw.run_date.trim() : '';
  if (!isCalendarDate(runDate)) problem('run_date', `must be a real calendar date as YYYY-MM-DD, got ${quotedValue(raw.run_date)}`);

  const dependencies = splitNames(raw.dependencies);
  if (dependencies === undefined) problem('dependencies', 'must be a comma-separated string or an array of strings');
  else if (dependencies.length === 0) problem('dependencies', 'must name at least one dependency group');

  for (const field of ['partition_info_table', 'recon_table'] as const) {
    const reason = tableRefProblem(raw[field]);
    if (reason) problem(field, reason);
  }

  const env = typeof raw.env === 'string' ? raw.env.trim().toUpperCase() : '';
  if (!(ENVIRONMENTS as readonly string[]).includes(env)) {
    problem('env', `must be one of ${ENVIRONMENTS.join(', ')} (any case), got ${quotedValue(raw.env)}`);
  }

  return {
    gcs_path: gcsPath,
    run_date: runDate,
    dependencies: dependencies ?? [],
    partition_info_table: String(raw.partition_info_table).trim(),
    env: env as Environment,
    recon_table: String(raw.recon_table).trim(),
    ...checkSelection(raw, problem),
  };
}

/** The optional parameters that narrow which metrics run; absent ones stay absent. */
function checkSelection(raw: RawRunParameters, problem: (field: string, reason: string) => void): Partial<RunParameters> {
  const selection: Partial<RunParameters> = {};
  if (raw.metric_ids !== undefined && raw.metric_ids !== null) {
    const ids = splitNames(raw.metric_ids);
    const malformed = ids?.filter((id) => !METRIC_ID.test(id)) ?? [];
    if (ids === undefined) problem('metric_ids', 'must be a comma-separated string or an array of strings');
    else if (ids.length === 0) problem('metric_ids', 'must name at least one metric_id');
    else if (malformed.length > 0) problem('metric_ids', `must be metric ids (letters, digits, underscores), got ${quotedList(malformed)}`);
    else selection.metric_ids = ids;
  }
  if (raw.retry_failed_of !== undefined && raw.retry_failed_of !== null) {
    const runId = typeof raw.retry_failed_of === 'string' ? raw.retry_failed_of.trim() : '';
    if (RUN_ID.test(runId)) selection.retry_failed_of = runId;
    else problem('retry_failed_of', `must be the run_id of an earlier run, got ${quotedValue(raw.retry_failed_of)}`);
  }
  if (raw.only_missing === true) selection.only_missing = true;
  else if (raw.only_missing !== undefined && raw.only_missing !== null && raw.only_missing !== false) {
    problem('only_missing', `must be true or false, got ${quotedValue(raw.only_missing)}`);
  }
  return selection;
}

/** Why run_date_to cannot end a backfill starting on `runDate`, or undefined when it can. */
function runDateToProblem(runDateTo: string, raw: unknown, runDate: string, maxDates: number): string | undefined {
  if (!isCalendarDate(runDateTo)) return `must be a real calendar date as YYYY-MM-DD, got ${quotedValue(raw)}`;
  if (!isCalendarDate(runDate)) return undefined;
  const dates = daysBetweenInclusive(runDate, runDateTo);
  if (dates < 1) return `must not be before run_date (${runDate}), got '${runDateTo}'`;
  if (dates > maxDates) return `spans ${dates} dates from run_date (${runDate}); a backfill covers at most ${maxDates} (METRICS_BACKFILL_MAX_DATES)`;
  return undefined;
}

/** A comma-separated string or an array of strings as trimmed names, blanks and repeats dropped; undefined for anything else. */
function splitNames(value: unknown): string[] | undefined {
  const parts = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (parts === undefined || parts.some((part) => typeof part !== 'string')) return undefined;
  const names = (parts as string[]).map((part) => part.trim()).filter((part) => part !== '');
  return [...new Set(names)];
}

function configPathProblem(path: string, policy: LocalConfigPolicy): string | undefined {
  if (path === '') return 'is required: gs://bucket/object or, where allowed, a local path';
  if (path.startsWith('gs://')) {
    if (!/^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]\/.+/.test(path)) return `must be gs://bucket/object, got ${quotedValue(path)}`;
    const prefixes = policy.gcsPrefixes ?? [];
    if (prefixes.length > 0 && !prefixes.some((prefix) => path.startsWith(prefix))) {
      return `is outside the allowed Cloud Storage prefixes (${prefixes.join(', ')})`;
    }
    return undefined;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path) && !path.startsWith('file://')) {
    return `must be gs://bucket/object or a local path, got ${quotedValue(path)}`;
  }
  if (!policy.allowLocal) return 'local config paths are not allowed here; use gs://bucket/object';
  return undefined;
}
