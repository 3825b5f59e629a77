import { join } from 'node:path';
import t from 'tap';
import { createDuckDbWarehouse } from '../../../services/warehouse/duckdb/duckdb-warehouse.js';
import { prepareProjects } from '../../helpers/duckdb-projects.js';
import { warehouseContract } from './warehouse-contract.js';

const dataset = { project: 'contract-proj', dataset: 'contract_ds' };

warehouseContract(t, 'duckdb', dataset, async (seeds) => {
  const directory = join(t.testdir(), 'warehouse');
  // Fixtures go straight to the project's file before the warehouse opens, outside the port under test.
  await prepareProjects(directory, { [dataset.project]: ['CREATE SCHEMA `contract-proj.contract_ds`', ...seeds] });
  const warehouse = await createDuckDbWarehouse({ directory, connections: 2 });
  return { warehouse, close: () => warehouse.close() };
});
