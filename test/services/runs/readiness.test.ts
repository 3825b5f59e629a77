import t, { type Test } from 'tap';
import { READINESS_CACHE_MS, Readiness } from '../../../services/runs/readiness.js';
import { createDuckDbWarehouse } from '../../../services/warehouse/duckdb/duckdb-warehouse.js';

/** A real warehouse whose pings are counted, and a clock the test moves. */
async function setUp(t: Test) {
  const warehouse = await createDuckDbWarehouse({ directory: t.testdir() });
  t.teardown(() => warehouse.close());
  const counted = {
    pings: 0,
    ping: () => {
      counted.pings += 1;
      return warehouse.ping();
    },
  };
  const clock = { now: Date.parse('2024-01-15T00:00:00Z') };
  return { warehouse, counted, clock, readiness: new Readiness(counted, () => new Date(clock.now)) };
}

t.test('probes within the cache time share one ping of the warehouse', async (t) => {
  const { counted, clock, readiness } = await setUp(t);
  await readiness.check(false);
  clock.now += READINESS_CACHE_MS - 1;
  await Promise.all([readiness.check(false), readiness.check(false), readiness.check(false)]);
  t.equal(counted.pings, 1);
  clock.now += 1;
  await readiness.check(false);
  t.equal(counted.pings, 2, 'the answer is asked again once it is older than the cache time');
});

t.test('probes arriving while a ping is out wait for that ping', async (t) => {
  const { counted, readiness } = await setUp(t);
  await Promise.all(Array.from({ length: 5 }, () => readiness.check(false)));
  t.equal(counted.pings, 1);
});

t.test('a warehouse that did not answer stays not ready for the cache time, then is asked again', async (t) => {
  const { warehouse, counted, clock, readiness } = await setUp(t);
  await warehouse.close();
  await t.rejects(readiness.check(false), { code: 'WAREHOUSE_UNREACHABLE', message: 'The warehouse is not reachable' });
  await t.rejects(readiness.check(false), { code: 'WAREHOUSE_UNREACHABLE' });
  t.equal(counted.pings, 1);
  clock.now += READINESS_CACHE_MS;
  await t.rejects(readiness.check(false), { code: 'WAREHOUSE_UNREACHABLE' });
  t.equal(counted.pings, 2);
});

t.test('a draining instance is not ready at once, whatever the cache holds', async (t) => {
  const { counted, readiness } = await setUp(t);
  await readiness.check(false);
  await t.rejects(readiness.check(true), { code: 'SERVICE_DRAINING' });
  t.equal(counted.pings, 1);
});
