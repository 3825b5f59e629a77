import { createBigQueryClient } from '../../../services/warehouse/bigquery/bigquery-client.js';
import { BigQueryWarehouse, type BigQueryWarehouseOptions } from '../../../services/warehouse/bigquery/bigquery-warehouse.js';
import type { Warehouse } from '../../../services/warehouse/warehouse.js';
import { startFakeBigQuery, type FakeBigQuery } from './fake-bigquery-server.js';

export const TEST_PROJECT = 'test-proj';

/** Small delays: retries and polls stay fast, and nothing asserts on time. */
export const TEST_RETRY = { maxAttempts: 4, baseDelayMs: 2, maxDelayMs: 10 };

export interface BigQueryHarness {
  fake: FakeBigQuery;
  warehouse: Warehouse;
  close: () => Promise<void>;
}

/**
 * The real BigQuery client and the adapter, pointed at a fresh local fake
 * server, the way src/adapters.ts wires them against an emulator.
 */
export async function openBigQueryHarness(overrides: Partial<BigQueryWarehouseOptions> = {}): Promise<BigQueryHarness> {
  const fake = await startFakeBigQuery();
  const client = createBigQueryClient({ projectId: TEST_PROJECT, location: 'US', emulatorHost: fake.url });
  const warehouse = new BigQueryWarehouse({
    client,
    retry: TEST_RETRY,
    maxConcurrentJobs: 4,
    location: 'US',
    writeTimeoutMs: 30_000,
    longPollMs: 50,
    ...overrides,
  });
  return {
    fake,
    warehouse,
    async close() {
      await warehouse.close();
      await fake.close();
    },
  };
}
