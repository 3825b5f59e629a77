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

t.test('names defined by WITH are not tables, in any case, at any depth, backticked or bare', async (t) => {
  t.same(names('WITH cte AS (SELECT * FROM ds.real_t), `Second` AS (SELECT 1) SELECT * FROM CTE JOIN second ON true'), ['ds.real_t']);
  t.same(names('WITH RECURSIVE r AS (SELECT 1 FROM ds.base UNION ALL SELECT 1 FROM r) SELECT * FROM r'), ['ds.base']);
  t.same(names('SELECT * FROM (WITH inner_cte AS (SELECT 1 FROM ds.t) SELECT * FROM inner_cte)'), ['ds.t']);
});

t.test('a qualified name that matches a WITH name is still a table', async (t) => {
  t.same(names('WITH tx AS (SELECT 1) SELECT * FROM tx JOIN sales.tx ON true'), ['sales.tx']);
});

t.test('UNNEST ... WITH OFFSET defines no name', async (t) => {
  t.same(names('SELECT * FROM offsets JOIN UNNEST([1]) AS x WITH OFFSET AS offsets ON true'), ['offsets']);
});
