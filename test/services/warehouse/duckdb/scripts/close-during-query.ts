/**
 * Starts a query that would run for hours, aborts it after `argv[3]` ms, closes
 * the warehouse at once and prints what happened. The process must then exit
 * by itself: an engine thread left running would keep it alive.
 */
import { createDuckDbWarehouse } from '../../../../../services/warehouse/duckdb/duckdb-warehouse.js';

const [directory = '', abortAfterMs = '0'] = process.argv.slice(2);
const warehouse = await createDuckDbWarehouse({ directory });
const controller = new AbortController();
setTimeout(() => controller.abort(), Number(abortAfterMs));
const sql = 'SELECT COUNT(*) AS c FROM range(100000) a, range(100000) b, range(100000) c WHERE a.range + b.range + c.range = 7';
const error = await warehouse.query({ sql, timeoutMs: 60_000, signal: controller.signal }).catch((caught: unknown) => caught);
await warehouse.close();
console.log(JSON.stringify({ rejected: (error as Error).message }));
