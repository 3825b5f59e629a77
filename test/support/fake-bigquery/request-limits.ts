import type { RestParameter } from './duckdb-engine.js';
import { HttpError } from '../http-kit.js';

/**
 * BigQuery's documented limits on one request (https://cloud.google.com/bigquery/quotas,
 * "Query jobs"), kept apart from the service's own constants so the fake
 * checks the service rather than agreeing with it. Errors carry the status,
 * reason and message BigQuery answers with.
 */
export const MAX_QUERY_PARAMETERS = 10_000;
export const MAX_QUERY_CHARACTERS = 1024 * 1024;
export const MAX_REQUEST_BYTES = 10_485_760;

/** Any request whose body is larger is refused before anything else is looked at. */
export function checkRequestBytes(bytes: number): void {
  if (bytes > MAX_REQUEST_BYTES) throw new HttpError(400, 'badRequest', `Request payload size exceeds the limit: ${MAX_REQUEST_BYTES} bytes.`);
}

/** A query (job, dry run or jobs.query) with too many parameters or too long a text is refused at once; no job is made. */
export function checkQueryLimits(query: string, parameters: RestParameter[]): void {
  if (parameters.length > MAX_QUERY_PARAMETERS) {
    throw new HttpError(400, 'invalid', `Too many query parameters: ${parameters.length} exceeds limit of ${MAX_QUERY_PARAMETERS}.`);
  }
  if (characterCount(query) > MAX_QUERY_CHARACTERS) {
    throw new HttpError(
      400,
      'invalidQuery',
      'The query is too large. The maximum standard SQL query length is 1024.00K characters, including comments and white space characters.',
    );
  }
}

/** Characters as BigQuery counts them (code points): a string's length counts UTF-16 units, two for an emoji. */
function characterCount(text: string): number {
  return text.length - (text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
}
