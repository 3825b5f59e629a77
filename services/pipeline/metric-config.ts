import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { ConfigValidationError, type FieldProblem } from '../errors.js';
import { decimalText } from '../numeric.js';
import { jsonErrorLocation } from './json-error-location.js';
import {
  FIELD_ORDER,
  METRIC_TYPES,
  MetricRecordSchema,
  REQUIRED_FIELDS,
  ruleReason,
  TYPE_ALIASES,
  type MetricType,
  type ToleranceSeverity,
} from './metric-config-schema.js';

export { METRIC_ID, METRIC_TYPES, type MetricType } from './metric-config-schema.js';

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
  /** Present when tolerance_pct is set (docs/contract.md#tolerance). */
  tolerance?: ToleranceRule;
}

/** The check of a metric_output against its own history. */
export interface ToleranceRule {
  /** The largest allowed change in percent, as plain decimal text ('10', '12.5'). */
  pct: string;
  /** As configured: 'previous' or 'avg_N'. */
  baseline: string;
  /** How many earlier values the baseline is the mean of: 1 for previous, N for avg_N. */
  values: number;
  severity: ToleranceSeverity;
}

/** The tolerance fields that mean nothing without tolerance_pct. */
const TOLERANCE_OPTIONS = ['tolerance_baseline', 'tolerance_severity'];

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
    const found = recordProblems(record, index);
    problems.push(...found);
    // Uniqueness is checked even when other fields of the record are bad; JSON Schema cannot express it.
    const metricId = found.some((problem) => problem.field === 'metric_id') ? undefined : knownIdOf(record);
    if (metricId !== undefined) {
      const earlier = firstIndexOfId.get(metricId);
      if (earlier === undefined) firstIndexOfId.set(metricId, index);
      else {
        const reason = `duplicates record ${earlier}; metric_id must be unique in the file`;
        problems.push({ index, metric_id: metricId, field: 'metric_id', reason });
      }
    }
    if (found.length === 0) metrics.push(definitionOf(record as Record<string, unknown>, index));
  });

  if (problems.length > 0) throw new ConfigValidationError(problems);
  return metrics;
}

/** Every problem of one record against MetricRecordSchema: one per field, the first rule it breaks, in field order. */
function recordProblems(record: unknown, index: number): FieldProblem[] {
  const reasons = new Map<string, string>();
  for (const error of Value.Errors(MetricRecordSchema, record)) {
    const field = error.path === '' ? '(record)' : (error.path.split('/')[1] ?? '');
    if (!reasons.has(field)) reasons.set(field, reasonOf(error, field));
  }
  if (isRecord(record) && record['tolerance_pct'] === undefined) {
    for (const field of TOLERANCE_OPTIONS.filter((name) => record[name] !== undefined && !reasons.has(name))) {
      reasons.set(field, 'needs tolerance_pct; without it nothing is checked');
    }
  }
  // Naming the id in every problem of the record helps find it, even when the id itself breaks a rule.
  const knownId = knownIdOf(record);
  return [...reasons]
    .sort(([a], [b]) => FIELD_ORDER.indexOf(a) - FIELD_ORDER.indexOf(b))
    .map(([field, reason]) => (knownId === undefined ? { index, field, reason } : { index, metric_id: knownId, field, reason }));
}

function reasonOf(error: ValueError, field: string): string {
  const { value } = error;
  switch (error.type) {
    case ValueErrorType.Object:
      return `must be a JSON object, got ${typeName(value)}`;
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.String:
      return value === null && REQUIRED_FIELDS.includes(field) ? 'is required' : `must be a string, got ${typeName(value)}`;
    case ValueErrorType.Number:
      // JSON.parse reads 1e999 as Infinity.
      return typeof value === 'number' ? `must be a finite number, got ${value}` : `must be a number, got ${typeName(value)}`;
    case ValueErrorType.NumberExclusiveMinimum:
      return `must be greater than ${String(error.schema.exclusiveMinimum)}, got ${String(value)}`;
    default:
      return ruleReason(String(error.schema.patternErrorMessage), String(value).trim());
  }
}

/** The trimmed metric_id of a record, when it is a non-blank string. */
function knownIdOf(record: unknown): string | undefined {
  const id = isRecord(record) ? record['metric_id'] : undefined;
  return typeof id === 'string' && id.trim() !== '' ? id.trim() : undefined;
}

/** The definition of a record without problems. */
function definitionOf(record: Record<string, unknown>, index: number): MetricDefinition {
  const text = (field: string) => String(record[field]).trim();
  const pct = record['tolerance_pct'];
  return {
    index,
    metric_id: text('metric_id'),
    metric_name: text('metric_name'),
    metric_type: toMetricType(text('metric_type')),
    sql: text('sql'),
    dependency: text('dependency'),
    target_table: text('target_table'),
    ...(typeof pct === 'number' ? { tolerance: toleranceRule(pct, record) } : {}),
  };
}

function toleranceRule(pct: number, record: Record<string, unknown>): ToleranceRule {
  const baseline = typeof record['tolerance_baseline'] === 'string' ? record['tolerance_baseline'].trim() : 'previous';
  const severity = typeof record['tolerance_severity'] === 'string' ? record['tolerance_severity'].trim() : 'warn';
  return {
    // The shortest text that reads back as the same number: what the user wrote, for any percent written with up to 15 digits.
    pct: decimalText(String(pct)),
    baseline,
    values: baseline === 'previous' ? 1 : Number(baseline.slice('avg_'.length)),
    severity: severity as ToleranceSeverity,
  };
}

/** A metric_type the schema accepted, under its canonical name. */
function toMetricType(text: string): MetricType {
  const lower = text.toLowerCase();
  return TYPE_ALIASES.get(lower) ?? (METRIC_TYPES.find((type) => type === lower) as MetricType);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
