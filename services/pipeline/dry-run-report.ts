import { Type, type Static } from '@sinclair/typebox';
import { ERROR_CATEGORIES } from '../errors.js';

const ErrorCategorySchema = Type.Union(ERROR_CATEGORIES.map((category) => Type.Literal(category)));
const Bytes = (description: string) =>
  Type.Union([Type.String({ pattern: '^[0-9]+$' }), Type.Null()], { description: `${description}, integer text; null when unknown` });

export const DryRunMetricSchema = Type.Object({
  metric_id: Type.String(),
  ok: Type.Boolean({ description: 'True when the metric would run; its failure otherwise' }),
  error_category: Type.Optional(ErrorCategorySchema),
  reason: Type.Optional(Type.String({ description: 'Why the metric would fail, in the words of its recon row' })),
  resolved_sql: Type.Union([Type.String(), Type.Null()], {
    description: 'The BigQuery SQL with its placeholders filled, before any translation; null when they could not be filled',
  }),
  partition_dates: Type.Record(Type.String(), Type.String(), {
    description: 'Each table a {partition_info} resolved for, as the SQL names it, and its date',
  }),
  bytes_processed: Bytes("The warehouse's estimate of the bytes the query reads (always unknown on DuckDB)"),
});

export const DryRunPlanSchema = Type.Object(
  {
    dry_run: Type.Literal(true),
    metrics: Type.Array(DryRunMetricSchema),
    bytes_total: Bytes('The bytes of the metrics that would run (ok), together; unknown when any of theirs is'),
  },
  { description: 'A dry run of a run that could be planned: one entry per selected metric. Nothing was written.' },
);

export const DryRunFailureSchema = Type.Object(
  {
    dry_run: Type.Literal(true),
    run_failure: Type.Object({ error_category: ErrorCategorySchema, reason: Type.String() }),
  },
  { description: 'A dry run of a run that would fail as a whole (config invalid, unknown dependency, ...). Nothing was written.' },
);

export type DryRunMetric = Static<typeof DryRunMetricSchema>;
export type DryRunPlan = Static<typeof DryRunPlanSchema>;
export type DryRunFailure = Static<typeof DryRunFailureSchema>;
export type DryRunReport = DryRunPlan | DryRunFailure;
