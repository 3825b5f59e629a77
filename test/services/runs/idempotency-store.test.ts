import t from 'tap';
import { IDEMPOTENCY_TTL_MS, IdempotencyStore } from '../../../services/runs/idempotency-store.js';

t.test('a key names its run for 24 hours, then is forgotten', async (t) => {
  let now = Date.parse('2024-01-15T00:00:00Z');
  const store = new IdempotencyStore(() => new Date(now));
  store.remember({ caller: 'c', key: 'k' }, 'run-1', 'fingerprint');
  now += IDEMPOTENCY_TTL_MS - 1;
  t.match(store.find({ caller: 'c', key: 'k' }), { value: 'run-1', fingerprint: 'fingerprint' });
  now += 1;
  t.equal(store.find({ caller: 'c', key: 'k' }), undefined);
});

t.test("a key is scoped by its caller: the same key from another caller names nothing", async (t) => {
  const store = new IdempotencyStore(() => new Date());
  store.remember({ caller: 'oidc:attacker@example.com', key: 'scheduler:nightly@2024-01-16T02:00:00Z' }, 'run-1', 'f');
  t.equal(store.find({ caller: 'oidc:scheduler@proj.iam.gserviceaccount.com', key: 'scheduler:nightly@2024-01-16T02:00:00Z' }), undefined);
  store.remember({ caller: 'a', key: 'b:c' }, 'run-2', 'f');
  t.equal(store.find({ caller: 'a:b', key: 'c' }), undefined, 'caller and key cannot be re-split');
});
