import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { OUTSIDE_LOCAL_CONFIG_DIR } from '../../services/config-source/local-config-directory.js';
import { build, type ErrorResponse, type RunDocument } from '../helpers/build-app.js';
import { SECRETS, secretsOutside } from '../helpers/secrets-outside.js';

// Secret-looking files outside the allowed directory, reached every way a caller might try, never show up
// in an HTTP answer, a recon row or a log line; nor does a non-JSON file inside it.

const INSIDE_SECRET = 'SECRET-inside-77';

t.test('config paths outside METRICS_LOCAL_CONFIG_DIR leak nothing: not in answers, recon rows or logs', async (t) => {
  // build() makes the test's directory; the files go into it after.
  const root = t.testdirName;
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  const { app, runBody, reconRows } = await build(t, { settings: { METRICS_LOCAL_CONFIG_DIR: join(root, 'allowed') }, app: { logger } });
  const { allowed, outsidePaths } = secretsOutside(root);
  writeFileSync(join(allowed, 'not-json.txt'), INSIDE_SECRET);

  const answers: string[] = [];
  for (const path of outsidePaths) {
    const response = await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(path) });
    answers.push(response.body);
    t.equal(response.statusCode, 400, path);
    t.same(response.json<ErrorResponse>().details, [{ field: 'gcs_path', reason: OUTSIDE_LOCAL_CONFIG_DIR }], `${path}: the same answer whether it exists or not`);
  }

  // Inside the directory a file is read, and a file that is not JSON fails the run without being quoted.
  const inside = await app.inject({ method: 'POST', url: '/runs?wait=true', payload: runBody(join(allowed, 'not-json.txt')) });
  t.equal(inside.statusCode, 422);
  t.match(inside.json<RunDocument>().run_failure, { error_category: 'JSON_VALIDATION_ERROR', reason: /is not valid JSON at line 1, column 1/ });
  answers.push(inside.body, (await app.inject({ method: 'GET', url: `/runs/${inside.json<RunDocument>().run_id}` })).body);
  answers.push((await app.inject({ method: 'GET', url: '/runs' })).body);

  const recon = JSON.stringify(await reconRows());
  t.match(recon, /is not valid JSON/, 'the recon table holds the failed run');
  for (const secret of [...SECRETS, INSIDE_SECRET]) {
    t.notOk(answers.some((answer) => answer.includes(secret)), `${secret} is in no answer`);
    t.notOk(recon.includes(secret), `${secret} is in no recon row`);
    t.notOk(logs.some((line) => line.includes(secret)), `${secret} is in no log line`);
  }
  t.ok(logs.length > 0, 'the logs were kept');
});
