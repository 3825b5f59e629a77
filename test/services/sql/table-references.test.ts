import t from 'tap';
import { tableReferences } from '../../../services/sql/table-references.js';

const names = (sql: string) => tableReferences(sql).map((ref) => [ref.project, ref.dataset, ref.table].filter(Boolean).join('.'));

t.test('reads backticked, split-backticked and bare names of one to three parts', async (t) => {
  t.same(names('SELECT 1 FROM `my-proj.sales.tx` JOIN `p`.`d`.`u` ON true'), ['my-proj.sales.tx', 'p.d.u']);
  t.same(names('SELECT 1 FROM my-proj.sales.tx, other'), ['my-proj.sales.tx']);
  t.same(names('select 1 from sales.tx join tx2 using (id)'), ['sales.tx', 'tx2']);
});

t.test('skips subqueries, UNNEST, table functions and EXTRACT(... FROM ...)', async (t) => {
  t.same(names('SELECT EXTRACT(YEAR FROM d) FROM (SELECT d FROM ds.inner_t) JOIN UNNEST([1]) AS n ON true'), ['ds.inner_t']);
  t.same(names('SELECT * FROM range(10)'), []);
});

t.test('records where each name starts and ignores names in strings', async (t) => {
  const sql = "SELECT 'FROM fake.t' FROM ds.real_t";
  const [ref] = tableReferences(sql);
  t.equal(ref?.table, 'real_t');
  t.equal(sql.slice(ref?.start), 'ds.real_t');
});
