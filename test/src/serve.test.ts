import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { serve } from '../../src/serve.js';

/** Starts the service as `npm start` does, with `env`; what it printed and the exit code it asks for. */
async function start(env: NodeJS.ProcessEnv) {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (chunk) => (err += chunk));
  const code = await serve({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env }, stderr);
  return { code, err };
}

t.test('bad settings stop start-up with 64, one line each naming the variable and what it allows', async (t) => {
  t.same(await start({ METRICS_WAREHOUSE: 'snowflake', PORT: 'http' }), {
    code: 64,
    err: "error: METRICS_WAREHOUSE must be one of duckdb, bigquery, got 'snowflake'\nerror: PORT must be a whole number from 0 to 65535, got 'http'\n",
  });
});

t.test('oidc mode with no allowed emails refuses to start with 64', async (t) => {
  const { code, err } = await start({
    METRICS_DUCKDB_DIR: join(t.testdir(), 'warehouse'),
    METRICS_AUTH_MODE: 'oidc',
    METRICS_OIDC_AUDIENCE: 'https://metrics.example',
  });
  t.equal(code, 64);
  t.match(err, /^error: METRICS_OIDC_EMAILS must list the caller emails allowed .*METRICS_OIDC_ALLOW_ANY_IDENTITY=true\n$/);
});

t.test('anything unexpected at start-up (a warehouse directory that cannot be made) is 2, in one line', async (t) => {
  const file = join(t.testdir(), 'a-file');
  writeFileSync(file, '');
  const { code, err } = await start({ METRICS_DUCKDB_DIR: join(file, 'warehouse') });
  t.equal(code, 2);
  t.match(err, /^error: unexpected failure: [^\n]+\n$/);
});
