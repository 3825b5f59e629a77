import t from 'tap';
import { dryRunTable } from '../../../src/cli/dry-run-table.js';

const entry = { resolved_sql: 'SELECT 1', partition_dates: {} };

t.test('known bytes are shown per metric and in total, the total also in binary units', async (t) => {
  const text = dryRunTable({
    dry_run: true,
    metrics: [
      { metric_id: 'cheap', ok: true, ...entry, partition_dates: { 'sales.tx': '2024-01-14', 'p.ops.x': '2024-01-13' }, bytes_processed: '20000000' },
      { metric_id: 'tiny', ok: true, ...entry, bytes_processed: '512' },
      { metric_id: 'big', ok: false, error_category: 'SQL_EXECUTION_ERROR', reason: 'Query would bill 5000000000 bytes, over the limit 1', ...entry, bytes_processed: '5000000000' },
    ],
    bytes_total: '20000512',
  });
  t.match(text, /cheap\s*│\s*ok\s*│\s*20000000\s*│\s*sales\.tx=2024-01-14, p\.ops\.x=2024-01-13/);
  t.match(text, /big\s*│\s*would fail\s*│\s*5000000000\s*│\s*│\s*SQL_EXECUTION_ERROR/);
  t.match(text, /^big: SQL_EXECUTION_ERROR: Query would bill 5000000000 bytes, over the limit 1$/m);
  t.match(text, /2 ok, 1 would fail; bytes processed in total: 20000512 \(19\.1 MiB\)\n$/);
});

t.test('a total under 1 KiB reads in bytes', async (t) => {
  t.match(dryRunTable({ dry_run: true, metrics: [], bytes_total: '0' }), /0 ok, 0 would fail; bytes processed in total: 0 \(0 bytes\)/);
});

t.test('a run that would fail as a whole is one line naming its category', async (t) => {
  const text = dryRunTable({ dry_run: true, run_failure: { error_category: 'GCS_READ_ERROR', reason: 'gone' } });
  t.equal(text, 'dry run, nothing written: the run would fail as a whole (GCS_READ_ERROR)\n');
});
