/**
 * The warehouse port's contract suite. Every adapter runs it unchanged:
 *
 *   warehouseContract(t, 'duckdb', async (dataset, seeds) => ({ warehouse, close }))
 *
 * `open` is called once per suite with `dataset`, an EXISTING project and
 * dataset the suite may create tables in (each test uses its own table
 * names), and `seeds`: setup statements in BigQuery SQL (CREATE TABLE,
 * INSERT ...) the adapter's test runs there BEFORE it opens the warehouse,
 * outside the port, the way a fixture would; the suite never seeds through
 * the port methods under test.
 */
import type { Test } from 'tap';
import { PipelineError, QueryTimeoutError } from '../../../services/errors.js';
import { quoteTableRef, type TableRef } from '../../../services/table-ref.js';
import type { Column, QueryRequest, Row, Warehouse } from '../../../services/warehouse/warehouse.js';

export interface ContractSubject {
  warehouse: Warehouse;
  close: () => Promise<void>;
}

export interface ContractDataset {
  project: string;
  dataset: string;
}

const TIMEOUT_MS = 10_000;

export function warehouseContract(
  t: Test,
  name: string,
  dataset: ContractDataset,
  open: (seeds: string[]) => Promise<ContractSubject>,
): void {
  t.test(`${name} warehouse contract`, async (t) => {
    const table = (tableName: string): TableRef => ({ ...dataset, table: tableName });
    const named = (tableName: string) => quoteTableRef(table(tableName));
    const digits = Array.from({ length: 10 }, (_, n) => `(${n})`).join(', ');
    const subject = await open([
      `CREATE TABLE ${named('amounts')} (id INT64, label STRING, amount NUMERIC)`,
      `INSERT INTO ${named('amounts')} (id, label, amount) VALUES (1, 'a', NUMERIC '10.5'), (2, 'b', NUMERIC '-0.25')`,
      `CREATE TABLE ${named('digits')} (n INT64)`,
      `INSERT INTO ${named('digits')} (n) VALUES ${digits}`,
    ]);
    t.teardown(() => subject.close());
    const { warehouse } = subject;
    const query = (sql: string, extra: Partial<QueryRequest> = {}) => warehouse.query({ sql, timeoutMs: TIMEOUT_MS, ...extra });
    const firstRow = async (sql: string, extra?: Partial<QueryRequest>) => (await query(sql, extra)).rows[0];
    const rowsOf = async (tableName: string, orderBy: string) =>
      (await query(`SELECT * FROM ${named(tableName)} ORDER BY ${orderBy}`)).rows;
    const rejectsWith = async (t: Test, promise: Promise<unknown>, category: string, message?: RegExp) => {
      const error = await promise.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      t.ok(error instanceof PipelineError, 'rejects with a PipelineError');
      t.equal((error as PipelineError).category, category);
      if (message) t.match((error as PipelineError).message, message);
    };

    const amountsUnchanged = async (t: Test) =>
      t.same(await rowsOf('amounts', 'id'), [
        { id: '1', label: 'a', amount: '10.5' },
        { id: '2', label: 'b', amount: '-0.25' },
      ]);

    t.test('query reports the BigQuery type of each column', async (t) => {
      const { columns } = await query(
        "SELECT 'x' AS s, 1 AS i, NUMERIC '1.5' AS n, CAST(1.5 AS FLOAT64) AS f, TRUE AS b, DATE '2024-01-02' AS d, " +
          "TIMESTAMP '2024-01-02 03:04:05+00' AS ts",
      );
      t.same(columns, [
        { name: 's', type: 'STRING' },
        { name: 'i', type: 'INT64' },
        { name: 'n', type: 'NUMERIC' },
        { name: 'f', type: 'FLOAT64' },
        { name: 'b', type: 'BOOL' },
        { name: 'd', type: 'DATE' },
        { name: 'ts', type: 'TIMESTAMP' },
      ]);
    });

    t.test('NUMERIC with 29 integer digits and 9 decimals is exact text', async (t) => {
      const row = await firstRow("SELECT NUMERIC '12345678901234567890123456789.123456789' AS n");
      t.same(row, { n: '12345678901234567890123456789.123456789' });
    });

    t.test('negative NUMERIC values read from a table keep their sign and digits', async (t) => {
      t.same(await firstRow(`SELECT amount FROM ${named('amounts')} WHERE id = 2`), { amount: '-0.25' });
    });

    t.test('INT64 beyond 2^53 is exact text', async (t) => {
      t.same(await firstRow('SELECT 9007199254740993 AS i, -9223372036854775808 AS m'), {
        i: '9007199254740993',
        m: '-9223372036854775808',
      });
    });

    t.test('DATE is YYYY-MM-DD', async (t) => {
      t.same(await firstRow("SELECT DATE '2024-02-29' AS d"), { d: '2024-02-29' });
    });

    t.test('TIMESTAMP is UTC text ending in Z', async (t) => {
      t.same(
        await firstRow(
          "SELECT TIMESTAMP '2024-01-02 03:04:05.123456+02:00' AS fraction, TIMESTAMP '2024-01-02 03:04:05+00' AS whole",
        ),
        { fraction: '2024-01-02T01:04:05.123456Z', whole: '2024-01-02T03:04:05Z' },
      );
    });

    t.test('BOOL is true or false', async (t) => {
      t.same(await firstRow('SELECT TRUE AS y, FALSE AS n'), { y: 'true', n: 'false' });
    });

    t.test('NULL is null whatever the type', async (t) => {
      t.same(await firstRow('SELECT CAST(NULL AS STRING) AS s, CAST(NULL AS NUMERIC) AS n, CAST(NULL AS DATE) AS d'), {
        s: null,
        n: null,
        d: null,
      });
    });

    t.test('FLOAT64 NaN and infinities are named', async (t) => {
      const row = await firstRow(
        "SELECT CAST('NaN' AS FLOAT64) AS nan, CAST('Infinity' AS FLOAT64) AS pos, CAST('-Infinity' AS FLOAT64) AS neg",
      );
      t.same(row, { nan: 'NaN', pos: 'Infinity', neg: '-Infinity' });
    });

    t.test('STRING and DATE parameters are bound with their types', async (t) => {
      const row = await firstRow('SELECT @label AS label, DATE_ADD(@day, INTERVAL 1 DAY) AS next_day', {
        params: { label: { type: 'STRING', value: 'b' }, day: { type: 'DATE', value: '2024-02-28' } },
      });
      t.same(row, { label: 'b', next_day: '2024-02-29' });
    });

    t.test('a parameter filters rows as data', async (t) => {
      const { rows } = await query(`SELECT id FROM ${named('amounts')} WHERE label = @label`, {
        params: { label: { type: 'STRING', value: 'b' } },
      });
      t.same(rows, [{ id: '2' }]);
    });

    t.test('SQL text in a STRING parameter stays data', async (t) => {
      const attack = `a' OR '1'='1'; DELETE FROM ${named('amounts')}; --`;
      const { rows } = await query(`SELECT id FROM ${named('amounts')} WHERE label = @label`, {
        params: { label: { type: 'STRING', value: attack } },
      });
      t.same(rows, []);
      await amountsUnchanged(t);
    });

    for (const [what, sql] of [
      ['DELETE', `DELETE FROM ${named('amounts')} WHERE TRUE`],
      ['CREATE', `CREATE TABLE ${named('created_by_query')} AS SELECT 1 AS x`],
      ['a second statement', `SELECT 1 AS x; DELETE FROM ${named('amounts')} WHERE TRUE`],
    ] as const) {
      t.test(`${what} is rejected and changes nothing`, async (t) => {
        await rejectsWith(t, query(sql), 'SQL_EXECUTION_ERROR');
        await amountsUnchanged(t);
        t.equal(await warehouse.getTableSchema(table('created_by_query')), undefined);
      });
    }

    t.test('a missing table is SQL_EXECUTION_ERROR with the engine message', async (t) => {
      await rejectsWith(t, query(`SELECT * FROM ${named('no_such_table')}`), 'SQL_EXECUTION_ERROR', /no_such_table/);
    });

    t.test('a missing column is SQL_EXECUTION_ERROR with the engine message', async (t) => {
      await rejectsWith(t, query(`SELECT no_such_column FROM ${named('amounts')}`), 'SQL_EXECUTION_ERROR', /no_such_column/);
    });

    t.test('a query past its timeout is cancelled and the warehouse still answers', async (t) => {
      const aliases = Array.from({ length: 12 }, (_, i) => `t${i}`);
      const slow =
        `SELECT COUNT(*) AS c FROM ${aliases.map((alias) => `${named('digits')} ${alias}`).join(', ')} ` +
        `WHERE ${aliases.map((alias) => `${alias}.n`).join(' + ')} = 53`;
      const error = await query(slow, { timeoutMs: 200 }).catch((caught: unknown) => caught);
      t.ok(error instanceof QueryTimeoutError, 'rejects with QueryTimeoutError');
      t.equal((error as PipelineError).category, 'SQL_EXECUTION_ERROR');
      t.same(await firstRow('SELECT 42 AS answer'), { answer: '42' });
    });

    t.test('getTableSchema gives the columns of an existing table', async (t) => {
      t.same(await warehouse.getTableSchema(table('amounts')), [
        { name: 'id', type: 'INT64' },
        { name: 'label', type: 'STRING' },
        { name: 'amount', type: 'NUMERIC' },
      ]);
    });

    t.test('getTableSchema is undefined for a missing table', async (t) => {
      t.equal(await warehouse.getTableSchema(table('never_created')), undefined);
    });

    const reportColumns: Column[] = [
      { name: 'metric_id', type: 'STRING' },
      { name: 'partition_dt', type: 'STRING' },
      { name: 'value', type: 'NUMERIC' },
      { name: 'ratio', type: 'FLOAT64' },
      { name: 'ok', type: 'BOOL' },
      { name: 'day', type: 'DATE' },
      { name: 'local_at', type: 'DATETIME' },
      { name: 'written_at', type: 'TIMESTAMP' },
      { name: 'year', type: 'INT64' },
    ];
    const reportRow = (metricId: string, partitionDt: string, value: string): Row => ({
      metric_id: metricId,
      partition_dt: partitionDt,
      value,
      ratio: '0.5',
      ok: 'true',
      day: '2024-01-15',
      local_at: '2024-01-15T10:11:12',
      written_at: '2024-01-15T10:11:12.500000Z',
      year: '2024',
    });

    t.test('createTable makes a table whose schema reads back with the same types', async (t) => {
      await warehouse.createTable(table('created'), reportColumns);
      t.same(await warehouse.getTableSchema(table('created')), reportColumns);
    });

    t.test('createTable leaves an existing table as it is', async (t) => {
      await warehouse.createTable(table('amounts'), [{ name: 'other', type: 'STRING' }]);
      await amountsUnchanged(t);
    });

    t.test('replaceRows inserts rows that every column type reads back exactly', async (t) => {
      await warehouse.createTable(table('report_insert'), reportColumns);
      await warehouse.replaceRows(table('report_insert'), reportColumns, [reportRow('m1', '2024-01-15', '1.000000001')], [
        'metric_id',
        'partition_dt',
      ]);
      t.same(await rowsOf('report_insert', 'metric_id'), [reportRow('m1', '2024-01-15', '1.000000001')]);
    });

    t.test('replaceRows replaces rows with the same keys and keeps other keys', async (t) => {
      const keys = ['metric_id', 'partition_dt'];
      await warehouse.createTable(table('report_replace'), reportColumns);
      await warehouse.replaceRows(
        table('report_replace'),
        reportColumns,
        [reportRow('m1', '2024-01-15', '1'), reportRow('m2', '2024-01-15', '2'), reportRow('m1', '2024-01-14', '3')],
        keys,
      );
      await warehouse.replaceRows(table('report_replace'), reportColumns, [reportRow('m1', '2024-01-15', '10')], keys);
      t.same(await rowsOf('report_replace', 'metric_id, partition_dt'), [
        reportRow('m1', '2024-01-14', '3'),
        reportRow('m1', '2024-01-15', '10'),
        reportRow('m2', '2024-01-15', '2'),
      ]);
    });

    t.test('a replaceRows that fails on its last row leaves the old rows intact', async (t) => {
      const keys = ['metric_id', 'partition_dt'];
      await warehouse.createTable(table('report_failed'), reportColumns);
      await warehouse.replaceRows(table('report_failed'), reportColumns, [reportRow('m1', '2024-01-15', '1')], keys);
      const batch = [reportRow('m1', '2024-01-15', '2'), reportRow('m2', '2024-01-15', 'abc')];
      await rejectsWith(t, warehouse.replaceRows(table('report_failed'), reportColumns, batch, keys), 'BIGQUERY_WRITE_ERROR');
      t.same(await rowsOf('report_failed', 'metric_id'), [reportRow('m1', '2024-01-15', '1')]);
    });

    t.test('appendRows appends every row of a batch', async (t) => {
      await warehouse.createTable(table('recon_ok'), reportColumns);
      const batch = [reportRow('m1', '2024-01-15', '1'), reportRow('m2', '2024-01-15', '2')];
      await warehouse.appendRows(table('recon_ok'), reportColumns, batch);
      await warehouse.appendRows(table('recon_ok'), reportColumns, [reportRow('m1', '2024-01-15', '1')]);
      t.same(await rowsOf('recon_ok', 'metric_id, value'), [batch[0], batch[0], batch[1]]);
    });

    t.test('appendRows with a bad row appends nothing', async (t) => {
      await warehouse.createTable(table('recon_bad'), reportColumns);
      const batch = [reportRow('m1', '2024-01-15', '1'), reportRow('m2', '2024-01-15', 'abc')];
      await rejectsWith(t, warehouse.appendRows(table('recon_bad'), reportColumns, batch), 'BIGQUERY_WRITE_ERROR');
      t.same(await rowsOf('recon_bad', 'metric_id'), []);
    });

    t.test('ping resolves when the warehouse answers', async (t) => {
      await t.resolves(warehouse.ping());
    });

    t.test('dryRun checks a query without running it: one that fails when run passes the dry run', async (t) => {
      // Only the data tells that label 'a' is no number: planning cannot.
      const failsWhenRun = `SELECT CAST(label AS INT64) AS x FROM ${named('amounts')} WHERE id = @id`;
      const params = { id: { type: 'INT64' as const, value: '1' } };
      const estimate = await warehouse.dryRun({ sql: failsWhenRun, params, timeoutMs: TIMEOUT_MS });
      t.match(estimate.bytesProcessed === null ? 'unknown' : estimate.bytesProcessed, /^(unknown|\d+)$/, 'integer text or null, never a number');
      await rejectsWith(t, query(failsWhenRun, { params }), 'SQL_EXECUTION_ERROR', /'a'/);
    });

    t.test('dryRun refuses what query refuses, and changes nothing', async (t) => {
      const dryRun = (sql: string) => warehouse.dryRun({ sql, timeoutMs: TIMEOUT_MS });
      await rejectsWith(t, dryRun(`DELETE FROM ${named('amounts')} WHERE TRUE`), 'SQL_EXECUTION_ERROR');
      await rejectsWith(t, dryRun(`SELECT nope FROM ${named('amounts')}`), 'SQL_EXECUTION_ERROR', /nope/);
      await rejectsWith(t, dryRun(`SELECT 1 FROM ${named('no_such_table')}`), 'SQL_EXECUTION_ERROR', /no_such_table/);
      await amountsUnchanged(t);
    });
  });
}
