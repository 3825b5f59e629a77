import { ConfigValidationError, quotedValue, type FieldProblem } from '../errors.js';
import { tableRefProblem } from '../table-ref.js';
import { jsonErrorLocation } from './json-error-location.js';

export const METRIC_TYPES = ['count', 'sum', 'average', 'ratio', 'percentage'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

/** One validated metric of the config file (docs/contract.md#config-file); strings are trimmed. */
export interface MetricDefinition {
  /** Position of the record in the file, 0-based, as problems name it. */
  index: number;
  metric_id: string;
  metric_name: string;
  metric_type: MetricType;
  sql: string;
  dependency: string;
  target_table: string;
}

export const METRIC_ID = /^[A-Za-z0-9_]{1,100}$/;
const MAX_NAME_CHARS = 255;
// The old configs say 'avg'; it is stored under its one canonical name.
const TYPE_ALIASES = new Map<string, MetricType>([['avg', 'average']]);

/**
 * Parses and validates the whole config file, reporting every problem of every
 * record at once so a user fixes the file in one round.
 * Throws ConfigValidationError (JSON_VALIDATION_ERROR) on any problem.
 */
export function parseMetricConfig(text: string, source: string): MetricDefinition[] {
  let parsed: unknown;
  // A byte-order mark is invisible in editors yet breaks JSON.parse; files saved on Windows carry one.
  const json = text.replace(/^\uFEFF/, '');
  try {
    parsed = JSON.parse(json);
  } catch {
    // Never JSON.parse's message: it quotes the file's content.
    throw new ConfigValidationError([{ field: '(file)', reason: `${source} is not valid JSON at ${jsonErrorLocation(json)}` }]);
  }
  if (typeof parsed !== 'object' || parsed === null) {
    const reason = `${source} must hold a JSON array of metric objects or one metric object, got ${typeName(parsed)}`;
    throw new ConfigValidationError([{ field: '(file)', reason }]);
  }
  const records: unknown[] = Array.isArray(parsed) ? parsed : [parsed];

  const problems: FieldProblem[] = [];
  const metrics: MetricDefinition[] = [];
  const firstIndexOfId = new Map<string, number>();
  records.forEach((record, index) => {
    const { metricId, metric } = validateRecord(record, index, problems);
    if (metricId !== undefined) {
      const earlier = firstIndexOfId.get(metricId);
      if (earlier === undefined) firstIndexOfId.set(metricId, index);
      else {
        const reason = `duplicates record ${earlier}; metric_id must be unique in the file`;
        problems.push({ index, metric_id: metricId, field: 'metric_id', reason });
      }
    }
    if (metric !== undefined) metrics.push(metric);
  });

  if (problems.length > 0) throw new ConfigValidationError(problems);
  return metrics;
}

interface RecordCheck {
  /** The valid metric_id, checked for uniqueness even when other fields of the record are bad. */
  metricId?: string;
  /** Set only when the record has no problem. */
  metric?: MetricDefinition;
}

/** Pushes every problem of one record. */
function validateRecord(record: unknown, index: number, problems: FieldProblem[]): RecordCheck {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    problems.push({ index, field: '(record)', reason: `must be a JSON object, got ${typeName(record)}` });
    return {};
  }
  const fields = record as Record<string, unknown>;
  const rawId = fields['metric_id'];
  // Naming the id in every problem of the record helps find it, even when the id itself breaks a rule.
  const knownId = typeof rawId === 'string' && rawId.trim() !== '' ? rawId.trim() : undefined;
  const before = problems.length;
  const problem = (field: string, reason: string) =>
    problems.push(knownId === undefined ? { index, field, reason } : { index, metric_id: knownId, field, reason });

  const text = (field: string): string | undefined => {
    const value = fields[field];
    if (value === undefined || value === null) problem(field, 'is required');
    else if (typeof value !== 'string') problem(field, `must be a string, got ${typeName(value)}`);
    else if (value.trim() === '') problem(field, 'may not be blank');
    else return value.trim();
    return undefined;
  };

  let metricId = text('metric_id');
  if (metricId !== undefined && !METRIC_ID.test(metricId)) {
    problem('metric_id', `must be 1 to 100 letters, digits or underscores, got ${quotedValue(metricId)}`);
    metricId = undefined;
  } else if (metricId?.startsWith('__')) {
    problem('metric_id', `may not start with '__' (reserved for run-level recon rows), got ${quotedValue(metricId)}`);
    metricId = undefined;
  }

  const metricName = text('metric_name');
  // Counted in characters, not UTF-16 units, as the warehouse counts STRING length.
  if (metricName !== undefined && Array.from(metricName).length > MAX_NAME_CHARS) {
    problem('metric_name', `must be at most ${MAX_NAME_CHARS} characters, got ${Array.from(metricName).length}`);
  }

  const rawType = text('metric_type');
  const metricType = rawType === undefined ? undefined : toMetricType(rawType);
  if (rawType !== undefined && metricType === undefined) {
    problem('metric_type', `must be one of ${METRIC_TYPES.join(', ')} (or avg), any case, got ${quotedValue(rawType)}`);
  }

  const sql = text('sql');
  const dependency = text('dependency');
  const targetTable = text('target_table');
  const tableProblem = targetTable === undefined ? undefined : tableRefProblem(targetTable);
  if (tableProblem !== undefined) problem('target_table', tableProblem);

  if (
    problems.length > before ||
    metricId === undefined ||
    metricName === undefined ||
    metricType === undefined ||
    sql === undefined ||
    dependency === undefined ||
    targetTable === undefined
  ) {
    return { metricId };
  }
  const metric: MetricDefinition = {
    index,
    metric_id: metricId,
    metric_name: metricName,
    metric_type: metricType,
    sql,
    dependency,
    target_table: targetTable,
  };
  return { metricId, metric };
}

function toMetricType(text: string): MetricType | undefined {
  const lower = text.toLowerCase();
  return TYPE_ALIASES.get(lower) ?? METRIC_TYPES.find((type) => type === lower);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
