import t from 'tap';
import { IDEMPOTENCY_TTL_MS, IdempotencyStore } from '../../../services/runs/idempotency-store.js';

t.test('a key names its run for 24 hours, then is forgotten', async (t) => {
  let now = Date.parse('2024-01-15T00:00:00Z');
  const store = new IdempotencyStore(() => new Date(now));
  store.remember('k', 'run-1', 'fingerprint');
  now += IDEMPOTENCY_TTL_MS - 1;
  t.match(store.find('k'), { value: 'run-1', fingerprint: 'fingerprint' });
  now += 1;
  t.equal(store.find('k'), undefined);
});
