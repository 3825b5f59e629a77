import { readFileSync } from 'node:fs';
import t from 'tap';
import { metricConfigSchemaText } from '../../routes/schemas.js';
import { build } from '../helpers/build-app.js';

const committed = () => readFileSync(new URL('../../schemas/metric-config.json', import.meta.url), 'utf8');

t.test('the committed schemas/metric-config.json is the schema the config definitions generate', async (t) => {
  // On a difference, regenerate with `npm run openapi` and commit the result.
  t.equal(metricConfigSchemaText(), committed());
});

t.test('GET /schemas/metric-config.json serves the committed schema, without credentials when runs need them', async (t) => {
  const { app } = await build(t, { settings: { METRICS_AUTH_MODE: 'token', METRICS_AUTH_TOKEN: 'a-static-token-of-some-length' } });
  const response = await app.inject({ method: 'GET', url: '/schemas/metric-config.json' });
  t.equal(response.statusCode, 200);
  t.match(response.headers['content-type'], /^application\/schema\+json/);
  t.equal(response.body, committed());
  t.match(response.json(), { $schema: 'http://json-schema.org/draft-07/schema#', definitions: { metric: { required: Array } } });
  t.equal((await app.inject({ method: 'GET', url: '/runs' })).statusCode, 401, 'the runs do need them');
});
