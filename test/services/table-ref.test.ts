import t from 'tap';
import { parseTableRef, tableRefProblem } from '../../services/table-ref.js';

t.test('accepts hyphenated projects', async (t) => {
  t.same(parseTableRef('my-proj.sales_ds.tx_1'), { project: 'my-proj', dataset: 'sales_ds', table: 'tx_1' });
});

t.test('names the part that breaks the rule', async (t) => {
  t.match(tableRefProblem('a.b'), /three dot-separated parts/);
  t.match(tableRefProblem('a_b-proj.c.d'), /project 'a_b-proj'/);
  t.match(tableRefProblem('my-proj.c-d.e'), /dataset 'c-d'/);
  t.match(tableRefProblem('my-proj.c.e f'), /table 'e f'/);
  t.match(tableRefProblem(undefined), /required/);
});

t.test('project ids follow Google Cloud: 6 to 30 lowercase letters, digits or hyphens, a letter first, no hyphen last', async (t) => {
  for (const project of ['abcdef', 'my-proj-1', `a${'b'.repeat(29)}`]) t.equal(tableRefProblem(`${project}.ds.t`), undefined, project);
  for (const project of ['proj', 'My-Project', '1project', 'project-', `a${'b'.repeat(30)}`, 'my_proj']) {
    t.match(tableRefProblem(`${project}.ds.t`), /must be a Google Cloud project id: 6 to 30 lowercase letters/, project);
  }
});

t.test('dataset and table ids may be up to 1,024 characters, as in BigQuery', async (t) => {
  t.equal(tableRefProblem(`my-proj.${'d'.repeat(1024)}.${'t'.repeat(1024)}`), undefined);
  t.match(tableRefProblem(`my-proj.${'d'.repeat(1025)}.t`), /dataset 'd+\.\.\.' \(1025 characters\) is longer than BigQuery's limit of 1024 characters/);
  t.match(tableRefProblem(`my-proj.d.${'t'.repeat(1025)}`), /table 't+\.\.\.' \(1025 characters\) is longer than BigQuery's limit/);
});

t.test('a huge name is quoted as a short excerpt, not echoed whole', async (t) => {
  const problem = tableRefProblem(`analytics.audit.${'x'.repeat(100_000)}`) ?? '';
  t.match(problem, /\(100000 characters\)/);
  t.ok(problem.length < 300, `${problem.length} characters`);
  t.ok((tableRefProblem(`${'x.'.repeat(50_000)}x`) ?? '').length < 300, 'also when the parts are wrong');
});
