import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TS_LOADER = join(ROOT, 'node_modules/@tapjs/typescript/dist/esm/import.mjs');

/** `npm run query -- <sql>` on an empty embedded warehouse of the test's own. */
function query(t: Test, ...args: string[]) {
  return spawnSync(process.execPath, [`--import=${TS_LOADER}`, join(ROOT, 'src/query.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, METRICS_DUCKDB_DIR: t.testdir(), LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

t.test('values print on one line with control characters escaped, so data cannot move the cursor or break the table', async (t) => {
  const result = query(t, "SELECT 'a' || chr(10) || 'b' AS v, chr(27) || '[2J' AS esc, NULL AS n");
  t.equal(result.status, 0, result.stderr);
  t.match(result.stdout, /│ a\\nb │ \\u001b\[2J │ NULL │/);
  t.notOk(result.stdout.includes(String.fromCharCode(27)), 'no raw ESC reaches the terminal');
  t.match(result.stdout, /1 row\(s\)\n$/);
});

t.test('no SQL is a usage error (64); a failing query exits 1 with the error on stderr', async (t) => {
  t.equal(query(t).status, 64);
  const failed = query(t, 'SELECT * FROM `no.such.table`');
  t.equal(failed.status, 1);
  t.match(failed.stderr, /^error: /);
});
