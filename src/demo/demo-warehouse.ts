import { RECON_COLUMNS } from '../../services/pipeline/recon-rows.js';
import { parseTableRef, type TableRef } from '../../services/table-ref.js';
import type { Column, Row, Warehouse } from '../../services/warehouse/warehouse.js';

/** The run date the example data is built around. */
export const DEMO_RUN_DATE = '2024-01-15';
const DAYS = ['2024-01-09', '2024-01-10', '2024-01-11', '2024-01-12', '2024-01-13', '2024-01-14', '2024-01-15'];
/** The last partition the loader has recorded: the run date's own data is still arriving. */
const LATEST_LOADED = '2024-01-14';

interface DemoTable {
  ref: TableRef;
  columns: Column[];
  rows: () => Row[];
}

const TABLES: DemoTable[] = [
  {
    ref: { project: 'demo-project', dataset: 'sales', table: 'transactions' },
    columns: [
      { name: 'transaction_id', type: 'INT64' },
      { name: 'customer_id', type: 'STRING' },
      { name: 'amount', type: 'NUMERIC' },
      { name: 'partition_dt', type: 'DATE' },
    ],
    rows: () => {
      const random = seededRandom(42);
      return DAYS.flatMap((day, dayIndex) =>
        Array.from({ length: 40 + dayIndex * 5 }, (_, i) => ({
          transaction_id: String(dayIndex * 1000 + i),
          customer_id: `C${String(1 + Math.floor(random() * 60)).padStart(3, '0')}`,
          // Money in cents, so the sums in the results read as exact as they are.
          amount: `${1 + Math.floor(random() * 250)}.${String(Math.floor(random() * 100)).padStart(2, '0')}`,
          partition_dt: day,
        })),
      );
    },
  },
  {
    ref: { project: 'demo-project', dataset: 'marketing', table: 'customer_activity' },
    columns: [
      { name: 'customer_id', type: 'STRING' },
      { name: 'converted', type: 'BOOL' },
      { name: 'activity_date', type: 'DATE' },
    ],
    rows: () => {
      const random = seededRandom(7);
      return DAYS.flatMap((day) =>
        Array.from({ length: 80 }, (_, i) => ({
          customer_id: `C${String(i + 1).padStart(3, '0')}`,
          converted: random() < 0.23 ? 'true' : 'false',
          activity_date: day,
        })),
      );
    },
  },
  {
    ref: { project: 'demo-project', dataset: 'ops', table: 'partition_info' },
    columns: [
      { name: 'project_dataset', type: 'STRING' },
      { name: 'table_name', type: 'STRING' },
      { name: 'partition_dt', type: 'DATE' },
    ],
    rows: () =>
      DAYS.filter((day) => day <= LATEST_LOADED).flatMap((day) => [
        { project_dataset: 'sales', table_name: 'transactions', partition_dt: day },
        { project_dataset: 'marketing', table_name: 'customer_activity', partition_dt: day },
      ]),
  },
];

export const DEMO_PARTITION_INFO_TABLE = 'demo-project.ops.partition_info';
const DEMO_RECON_TABLE = 'analytics.audit.metrics_recon';

/** The CLI flags of the demo run over the example config at `configPath`. */
export function demoRunArguments(configPath: string): string[] {
  return [
    '--gcs_path', configPath,
    '--run_date', DEMO_RUN_DATE,
    '--dependencies', 'daily_batch,customer_analytics',
    '--partition_info_table', DEMO_PARTITION_INFO_TABLE,
    '--env', 'DEV',
    '--recon_table', DEMO_RECON_TABLE,
  ];
}

/**
 * Builds the example source tables and the recon table, and so the demo's
 * two projects (the targets go to `analytics` too). Idempotent: a table that
 * already holds rows is left alone, so reruns keep earlier results comparable.
 */
export async function buildDemoWarehouse(warehouse: Warehouse): Promise<void> {
  await warehouse.createTable(parseTableRef(DEMO_RECON_TABLE), RECON_COLUMNS);
  for (const table of TABLES) {
    await warehouse.createTable(table.ref, table.columns);
    const count = await warehouse.query({
      sql: `SELECT COUNT(*) AS n FROM \`${table.ref.project}.${table.ref.dataset}.${table.ref.table}\``,
      timeoutMs: 30_000,
    });
    if (count.rows[0]?.n === '0') await warehouse.appendRows(table.ref, table.columns, table.rows());
  }
}

/** Deterministic pseudo-random numbers (mulberry32), so every clone builds the same data. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
