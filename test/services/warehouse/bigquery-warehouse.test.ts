import t from 'tap';
import { openBigQueryHarness, TEST_PROJECT } from '../../support/fake-bigquery/bigquery-harness.js';
import { warehouseContract } from './warehouse-contract.js';

// The shared port contract, through the real @google-cloud/bigquery client, against the local BigQuery server.
warehouseContract(t, 'bigquery', async () => {
  const { fake, warehouse, close } = await openBigQueryHarness();
  const dataset = { project: TEST_PROJECT, dataset: 'contract_ds' };
  await fake.engine.ensureDataset(dataset.project, dataset.dataset);
  // Fixtures go straight to the fake's engine, in BigQuery SQL, outside the port under test.
  const seed = async (bigQuerySql: string) => void (await fake.engine.execute(bigQuerySql, [], dataset.project));
  return { warehouse, dataset, seed, close };
});
