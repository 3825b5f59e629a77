import t from 'tap';
import { settleAll } from '../../services/settle-all.js';

/** Settles after `ms` with what `settle` returns, or rejects with what it throws. */
const after = <T>(ms: number, settle: () => T) =>
  new Promise<T>((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(settle());
      } catch (error) {
        reject(error);
      }
    }, ms),
  );

t.test('resolves with every value, in order, whatever the types', async (t) => {
  const [n, s, list] = await settleAll([after(10, () => 1), Promise.resolve('two'), after(1, () => [3])]);
  t.same({ n, s, list }, { n: 1, s: 'two', list: [3] });
});

t.test('rejects with the first failure in order, and only once every promise has settled', async (t) => {
  const finished: string[] = [];
  const slow = after(40, () => finished.push('slow'));
  const failing = after(5, () => {
    finished.push('first failure');
    throw new Error('first failure');
  });
  const failingLater = after(20, () => {
    finished.push('second failure');
    throw new Error('second failure');
  });
  // The failures are observed by settleAll; their own rejections are not left unhandled.
  failing.catch(() => undefined);
  failingLater.catch(() => undefined);
  await t.rejects(settleAll([slow, failingLater, failing]), { message: 'second failure' }, 'the first failure in the given order');
  t.same(finished, ['first failure', 'second failure', 'slow'], 'the slow one had finished before the rejection');
});
