import t from 'tap';
import { createDuckDbWarehouse } from '../../../services/warehouse/duckdb/duckdb-warehouse.js';
import { warehouseContract } from './warehouse-contract.js';

warehouseContract(t, 'duckdb', async () => {
  const warehouse = await createDuckDbWarehouse({ directory: t.testdir(), connections: 2 });
  const dataset = { project: 'contract-proj', dataset: 'contract_ds' };
  // Fixtures go straight to the engine on the write connection, outside the port under test.
  const seed = (bigQuerySql: string) => warehouse.runScript(bigQuerySql, [dataset.project]);
  await seed('CREATE SCHEMA IF NOT EXISTS `contract-proj.contract_ds`');
  return { warehouse, dataset, seed, close: () => warehouse.close() };
});
