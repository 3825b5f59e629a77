import t from 'tap';
import { openBigQueryHarness, TEST_PROJECT } from '../../support/fake-bigquery/bigquery-harness.js';
import { warehouseContract } from './warehouse-contract.js';

// The shared port contract, through the real @google-cloud/bigquery client, against the local BigQuery server.
warehouseContract(t, 'bigquery', { project: TEST_PROJECT, dataset: 'contract_ds' }, async (seeds) => {
  const { fake, warehouse, close } = await openBigQueryHarness();
  await fake.engine.ensureDataset(TEST_PROJECT, 'contract_ds');
  // Fixtures go straight to the fake's engine, in BigQuery SQL, outside the port under test.
  for (const sql of seeds) await fake.engine.execute(sql, [], TEST_PROJECT);
  return { warehouse, close };
});
