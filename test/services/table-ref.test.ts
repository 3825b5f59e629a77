import t from 'tap';
import { parseTableRef, tableRefProblem } from '../../services/table-ref.js';

t.test('accepts hyphenated projects', async (t) => {
  t.same(parseTableRef('my-proj.sales_ds.tx_1'), { project: 'my-proj', dataset: 'sales_ds', table: 'tx_1' });
});

t.test('names the part that breaks the rule', async (t) => {
  t.match(tableRefProblem('a.b'), /three dot-separated parts/);
  t.match(tableRefProblem('a_b.c.d'), /project 'a_b'/);
  t.match(tableRefProblem('a.c-d.e'), /dataset 'c-d'/);
  t.match(tableRefProblem('a.c.e f'), /table 'e f'/);
  t.match(tableRefProblem(undefined), /required/);
});
