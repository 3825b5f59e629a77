import { Type, type TSchema } from '@sinclair/typebox';
import { quotedValue } from '../errors.js';
import { TABLE_REF_PATTERN, tableRefProblem } from '../table-ref.js';

/**
 * The metric config file (docs/contract.md#config-file) as TypeBox
 * definitions: the validator (metric-config.ts) checks every record against
 * them, and the same definitions are the JSON Schema editors use
 * (schemas/metric-config.json, GET /schemas/metric-config.json).
 *
 * Strings are trimmed before use, so every pattern allows blanks around the
 * value: the schema must never refuse what the validator accepts.
 */

export const METRIC_TYPES = ['count', 'sum', 'average', 'ratio', 'percentage'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];
// The old configs say 'avg'; it is stored under its one canonical name.
export const TYPE_ALIASES = new Map<string, MetricType>([['avg', 'average']]);

export const MAX_NAME_CHARS = 255;
export const TOLERANCE_SEVERITIES = ['warn', 'error'] as const;
export type ToleranceSeverity = (typeof TOLERANCE_SEVERITIES)[number];

/**
 * Each pattern rule's message (shown by editors as `patternErrorMessage`)
 * and the validator's reason for a value that breaks it, given the trimmed
 * value; rules without an entry give their message as it is.
 */
const RULE_REASONS = new Map<string, (trimmed: string) => string>();

function rule(pattern: string, message: string, reason?: (trimmed: string) => string): TSchema {
  if (reason !== undefined) RULE_REASONS.set(message, reason);
  return Type.String({ pattern, patternErrorMessage: message });
}

/** The validator's reason for a value that breaks the rule with this message. */
export function ruleReason(message: string, trimmed: string): string {
  return RULE_REASONS.get(message)?.(trimmed) ?? message;
}

/** A string field checked by each rule in turn; the first rule it breaks gives the reason. */
function text(description: string, rules: TSchema[], options: { examples?: string[] } = {}) {
  return Type.Intersect([Type.String(), ...rules], { description, ...options });
}

const notBlank = rule('\\S', 'may not be blank');

// JavaScript's \s is exactly the set String.prototype.trim removes.
const caseless = (word: string) => [...word].map((c) => `[${c.toUpperCase()}${c}]`).join('');
const METRIC_TYPE_WORDS = [...METRIC_TYPES, ...TYPE_ALIASES.keys()];
const METRIC_TYPE_MESSAGE = `must be one of ${METRIC_TYPES.join(', ')} (or avg), any case`;

// Counted in characters (code points), as the warehouse counts STRING length: a
// surrogate pair is one repetition whether or not the engine reads the pattern as
// Unicode. The alternatives never overlap, so matching stays linear.
const CHARACTER = '(?:[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[^\\uD800-\\uDBFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF]))';
const NAME_MESSAGE = `must be at most ${MAX_NAME_CHARS} characters`;

const TABLE_MESSAGE = 'must be project.dataset.table';
const METRIC_ID_MESSAGE = 'must be 1 to 100 letters, digits or underscores';
const METRIC_ID_CHARS = '[A-Za-z0-9_]{1,100}';
/** A metric_id, trimmed: run parameters naming metrics hold to it too. */
export const METRIC_ID = new RegExp(`^${METRIC_ID_CHARS}$`);
const RESERVED_MESSAGE = "may not start with '__' (reserved for run-level recon rows)";

// previous, or avg_2 to avg_90.
const BASELINE_PATTERN = '^\\s*(?:previous|avg_(?:[2-9]|[1-8][0-9]|90))\\s*$';

export const MetricRecordSchema = Type.Object(
  {
    $schema: Type.Optional(Type.Unknown({ description: 'Ignored: lets an editor find this schema for a single-object file' })),
    metric_id: text('Unique in the file; names the metric in every row and in the recon table', [
      notBlank,
      rule(`^\\s*${METRIC_ID_CHARS}\\s*$`, METRIC_ID_MESSAGE, (id) => `${METRIC_ID_MESSAGE}, got ${quotedValue(id)}`),
      rule('^\\s*(?!__)\\S', RESERVED_MESSAGE, (id) => `${RESERVED_MESSAGE}, got ${quotedValue(id)}`),
    ]),
    metric_name: text(`At most ${MAX_NAME_CHARS} characters`, [
      notBlank,
      rule(`^\\s*${CHARACTER}{1,${MAX_NAME_CHARS}}\\s*$`, NAME_MESSAGE, (name) => `${NAME_MESSAGE}, got ${[...name].length}`),
    ]),
    metric_type: text(
      `${METRIC_TYPES.join(', ')} (alias avg), any case`,
      [
        notBlank,
        rule(`^\\s*(?:${METRIC_TYPE_WORDS.map(caseless).join('|')})\\s*$`, METRIC_TYPE_MESSAGE, (type) => `${METRIC_TYPE_MESSAGE}, got ${quotedValue(type)}`),
      ],
      { examples: [...METRIC_TYPES] },
    ),
    sql: text(
      'One read-only BigQuery statement (SELECT or WITH) returning one row with metric_output, numerator_value, ' +
        'denominator_value and business_data_date; {currently} and {partition_info} are replaced by dates',
      [notBlank],
    ),
    dependency: text('The group the metric runs with', [notBlank]),
    target_table: text('project.dataset.table receiving the metric rows', [
      notBlank,
      // The pattern and tableRefProblem accept the same names; the latter says which part is wrong.
      rule(TABLE_REF_PATTERN, TABLE_MESSAGE, (table) => tableRefProblem(table) ?? TABLE_MESSAGE),
    ]),
    tolerance_pct: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        description: 'The largest allowed change of metric_output against the baseline, in percent; a change equal to it passes',
      }),
    ),
    tolerance_baseline: Type.Optional(
      text(
        'previous (the latest earlier partition_dt, the default) or avg_N (the mean of the N latest earlier values, N from 2 to 90)',
        [rule(BASELINE_PATTERN, 'must be previous or avg_N with N from 2 to 90', (baseline) => `must be previous or avg_N with N from 2 to 90, got ${quotedValue(baseline)}`)],
        { examples: ['previous', 'avg_7', 'avg_30'] },
      ),
    ),
    tolerance_severity: Type.Optional(
      text(
        'warn (the default: the row is written and the breach flagged) or error (the metric fails with DATA_QUALITY_ERROR, nothing written)',
        [rule(`^\\s*(?:${TOLERANCE_SEVERITIES.join('|')})\\s*$`, 'must be warn or error', (severity) => `must be warn or error, got ${quotedValue(severity)}`)],
        { examples: [...TOLERANCE_SEVERITIES] },
      ),
    ),
  },
  {
    title: 'Metric definition',
    description: 'Fields other than these are allowed and ignored (metric_description, frequency, ...)',
    // The tolerance check needs its percent; a baseline or severity alone would silently check nothing.
    dependencies: { tolerance_baseline: ['tolerance_pct'], tolerance_severity: ['tolerance_pct'] },
  },
);

/** Fields a record must have, in the order problems are reported. */
export const REQUIRED_FIELDS: readonly string[] = MetricRecordSchema.required ?? [];
export const FIELD_ORDER: readonly string[] = Object.keys(MetricRecordSchema.properties);

/** The whole file: an array of metric definitions, or one definition alone; the definition is written once and referenced. */
const METRIC = Type.Ref('#/definitions/metric');
export const MetricConfigSchema = Type.Union([Type.Array(METRIC), METRIC], {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Metrics pipeline config',
  description:
    'An array of metric definitions (a single object is read as an array of one). metric_id must also be unique in the ' +
    'file, which the service checks and this schema cannot express.',
  definitions: { metric: MetricRecordSchema },
});
