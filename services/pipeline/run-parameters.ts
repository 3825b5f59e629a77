import { isCalendarDate } from '../calendar-date.js';
import { InvalidRunParametersError, quotedValue, type FieldProblem } from '../errors.js';
import { tableRefProblem } from '../table-ref.js';

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
}

/** Run parameters as a caller gives them, before validation. */
export type RawRunParameters = Partial<Record<keyof RunParameters, unknown>>;

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
  const problem = (field: string, reason: string) => problems.push({ field, reason });

  const gcsPath = typeof raw.gcs_path === 'string' ? raw.gcs_path.trim() : '';
  const pathProblem = configPathProblem(gcsPath, policy);
  if (pathProblem) problem('gcs_path', pathProblem);

  const runDate = typeof raw.run_date === 'string' ? raw.run_date.trim() : '';
  if (!isCalendarDate(runDate)) problem('run_date', `must be a real calendar date as YYYY-MM-DD, got ${quotedValue(raw.run_date)}`);

  const dependencies = splitDependencies(raw.dependencies);
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

  if (problems.length > 0) throw new InvalidRunParametersError(problems);
  return {
    gcs_path: gcsPath,
    run_date: runDate,
    dependencies: dependencies ?? [],
    partition_info_table: String(raw.partition_info_table).trim(),
    env: env as Environment,
    recon_table: String(raw.recon_table).trim(),
  };
}

function splitDependencies(value: unknown): string[] | undefined {
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
