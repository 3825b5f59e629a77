import { createHash, randomUUID } from 'node:crypto';
import type { QueryRequest } from '../warehouse.js';

type Label = NonNullable<QueryRequest['label']>;

/**
 * The id of a query job. With a label it is derived from the run, the metric
 * and the statement itself, so a request retried after a lost
 * response finds the job it already started instead of running the query
 * twice; the statement digest keeps two different queries of one metric (the
 * partition lookup and the metric SQL) from sharing an id. Unlabelled queries
 * get a random id, fixed for all retries of one call.
 */
export function baseJobId(kind: string, statement: unknown, label?: Label): string {
  if (label === undefined) return `metrics_${kind}_${randomUUID().replaceAll('-', '')}`;
  const digest = createHash('sha256').update(JSON.stringify([kind, statement])).digest('hex').slice(0, 16);
  return `metrics_${kind}_${idPart(label.runId)}_${idPart(label.metricId)}_${digest}`;
}

/**
 * The id of a write job: its kind and the digest of everything it writes
 * (contentDigest of the request's own JSON), so the same batch sent again, by
 * a retried request or a process that crashed and came back, finds the job
 * that already wrote it instead of writing it twice.
 */
export function writeJobId(kind: string, digest: string): string {
  return `metrics_${kind}_${digest}`;
}

/** 128 bits of SHA-256: unique across every batch a project will ever write. */
export function contentDigest(content: string): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 32);
}

/** Try n of a job that ran and failed transiently needs a fresh id: the failed job keeps the old one. */
export function jobIdForTry(base: string, tryNumber: number): string {
  return tryNumber === 1 ? base : `${base}_t${tryNumber}`;
}

// Job ids allow letters, digits, '_' and '-' up to 1024 characters.
function idPart(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 200);
}

/**
 * Job labels for cost attribution. BigQuery label keys and values hold at most
 * 63 lowercase letters, digits, '_' or '-'.
 */
export function jobLabels(label?: Label): Record<string, string> {
  if (label === undefined) return { app: 'metrics_pipeline' };
  const labels: Record<string, string> = {
    app: 'metrics_pipeline',
    run_id: labelValue(label.runId),
    metric_id: labelValue(label.metricId),
  };
  if (label.env !== undefined) labels['env'] = labelValue(label.env);
  return labels;
}

function labelValue(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 63);
}
