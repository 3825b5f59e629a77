/**
 * BigQuery's documented limits on one query request (https://cloud.google.com/bigquery/quotas,
 * "Query jobs"): 10,000 query parameters, 1,024K characters of query text and
 * 10 MB of request; past them BigQuery refuses the request with HTTP 400.
 * Writes bind a whole batch as one parameter under a short statement, so only
 * the size can run out; a batch too big for one request goes through a
 * staging table (batch-writer.ts).
 */
/** "Request payload size exceeds the limit: 10485760 bytes." */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** Room kept for what the client wraps around a job's configuration: jobReference, the JSON framing. */
const ENVELOPE_BYTES = 4 * 1024;

/** The largest job configuration, serialized as JSON, that one request may carry. */
export const MAX_CONFIGURATION_BYTES = MAX_REQUEST_BYTES - ENVELOPE_BYTES;

/**
 * Splits items of the given JSON sizes into consecutive chunks, each of which
 * fits in `budget` bytes together with `fixedBytes` of surrounding request;
 * returns the chunks' [start, end) index ranges. An item that cannot fit even
 * alone is refused, naming its position.
 */
export function chunkRanges(itemBytes: number[], fixedBytes: number, budget: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  let size = fixedBytes;
  itemBytes.forEach((bytes, i) => {
    // One comma between two array items.
    const cost = bytes + 1;
    if (fixedBytes + cost > budget) {
      throw new Error(`Row ${i + 1} of the batch is ${bytes} bytes as JSON, more than one BigQuery request of ${MAX_REQUEST_BYTES} bytes can carry`);
    }
    if (size + cost > budget) {
      ranges.push([start, i]);
      start = i;
      size = fixedBytes;
    }
    size += cost;
  });
  if (start < itemBytes.length) ranges.push([start, itemBytes.length]);
  return ranges;
}
