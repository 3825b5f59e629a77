import t from 'tap';
import { build } from '../helpers/build-app.js';

t.test('GET /healthz answers 200 while the process lives', async (t) => {
  const { app } = await build(t);
  const response = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(response.statusCode, 200);
  t.same(response.json(), { status: 'ok' });
});

t.test('GET /readyz answers 200 when the warehouse answers', async (t) => {
  const { app } = await build(t);
  const response = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(response.statusCode, 200);
  t.same(response.json(), { status: 'ready' });
});

t.test('GET /readyz answers 503 when the warehouse does not answer', async (t) => {
  const { app, warehouse } = await build(t);
  await warehouse.close();
  const response = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(response.statusCode, 503);
  t.match(response.json(), { statusCode: 503, code: 'WAREHOUSE_UNREACHABLE', message: 'The warehouse is not reachable' });
});
