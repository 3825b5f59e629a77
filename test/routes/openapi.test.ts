import { readFileSync } from 'node:fs';
import t from 'tap';
import { openApiText } from '../../routes/openapi.js';
import { build } from '../helpers/build-app.js';

t.test('the committed openapi/openapi.json is the document the routes generate', async (t) => {
  const { app } = await build(t);
  await app.ready();
  const committed = readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
  // On a difference, regenerate with `npm run openapi` and commit the result.
  t.equal(openApiText(app), committed);
});

t.test('GET /openapi.json serves the OpenAPI 3 document of every route', async (t) => {
  const { app } = await build(t);
  const response = await app.inject({ method: 'GET', url: '/openapi.json' });
  t.equal(response.statusCode, 200);
  const document = response.json<{ paths: Record<string, { post: { responses: object } }> }>();
  t.match(document, { openapi: /^3\./ });
  t.same(Object.keys(document.paths).sort(), ['/backfills', '/healthz', '/readyz', '/runs', '/runs/{run_id}']);
  t.same(Object.keys(document.paths['/runs']?.post.responses ?? {}).sort(), ['200', '202', '400', '401', '403', '404', '409', '413', '415', '422', '429', '500', '503']);
});

t.test('GET /docs serves Swagger UI', async (t) => {
  const { app } = await build(t);
  const response = await app.inject({ method: 'GET', url: '/docs/' });
  t.equal(response.statusCode, 200);
  t.match(response.headers['content-type'], /text\/html/);
  t.match(response.body, /swagger-ui/i);
});
