import type { Test } from 'tap';
import t from 'tap';
import { assertReadOnlySql } from '../../../services/sql/read-only-sql.js';

const rejects = (t: Test, sql: string, reason: RegExp) =>
  t.throws(() => assertReadOnlySql(sql), { category: 'SQL_EXECUTION_ERROR', message: reason }, sql);

t.test('accepts one SELECT, one WITH, a parenthesised SELECT and a trailing semicolon', async (t) => {
  for (const sql of ['SELECT 1', 'with x as (select 1 a) select a from x', '(SELECT 1) UNION ALL (SELECT 2)', 'SELECT 1;', '-- note\nSELECT 1 ;  ']) {
    t.doesNotThrow(() => assertReadOnlySql(sql), sql);
  }
});

t.test('rejects DML, DDL and scripting statements', async (t) => {
  rejects(t, 'DELETE FROM d.t WHERE true', /starts with 'DELETE'/);
  rejects(t, 'INSERT INTO d.t VALUES (1)', /starts with 'INSERT'/);
  rejects(t, 'CREATE TABLE d.t (a INT64)', /starts with 'CREATE'/);
  rejects(t, 'DECLARE x INT64', /starts with 'DECLARE'/);
  rejects(t, 'BEGIN TRANSACTION', /starts with 'BEGIN'/);
});

t.test('rejects a second statement after a SELECT', async (t) => {
  rejects(t, 'SELECT 1; DROP TABLE d.t', /more than one statement/);
  rejects(t, 'SELECT 1; SELECT 2', /more than one statement/);
});

t.test('rejects a write hidden behind WITH', async (t) => {
  rejects(t, 'WITH x AS (SELECT 1) DELETE FROM d.t', /uses DELETE/);
  rejects(t, 'WITH x AS (SELECT 1) INSERT INTO d.t SELECT * FROM x', /uses INSERT/);
});

t.test('ignores keywords and semicolons inside strings, comments and backticks', async (t) => {
  t.doesNotThrow(() => assertReadOnlySql("SELECT 'DELETE FROM t; DROP TABLE x' AS s"));
  t.doesNotThrow(() => assertReadOnlySql('SELECT 1 /* ; DELETE */ -- ; drop\n'));
  t.doesNotThrow(() => assertReadOnlySql('SELECT `delete` FROM `p.d.t`'));
});

t.test('rejects empty and unterminated SQL', async (t) => {
  rejects(t, '  ;  ', /empty/);
  rejects(t, "SELECT 'open", /Unterminated string/);
});
