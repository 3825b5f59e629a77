import t from 'tap';
import { failureLogFields, oneLineReason, PipelineError, quotedValue } from '../../services/errors.js';

t.test('a reason is one line, cut at 500 characters counted as characters, not UTF-16 units', async (t) => {
  t.equal(oneLineReason(new Error('first\n\n  second\tthird')), 'first second third');
  const cut = oneLineReason('😀'.repeat(600));
  t.equal(Array.from(cut).length, 500);
  t.match(cut, /^(?:😀)+\.\.\.$/u, 'no surrogate pair is split');
  t.equal(oneLineReason('   '), 'Unknown error');
});

t.test("a caller's long value is quoted as an excerpt with its length", async (t) => {
  t.equal(quotedValue('short'), "'short'");
  t.equal(quotedValue('x'.repeat(81)), `'${'x'.repeat(80)}...' (81 characters)`);
  t.equal(quotedValue(undefined), 'nothing');
  t.equal(quotedValue([1]), 'an array');
  t.equal(quotedValue({ a: 1 }), 'an object');
  t.equal(quotedValue(12), 'the number 12');
});

t.test('expected failures are logged by their reason, unexpected ones with the error and its stack', async (t) => {
  t.same(failureLogFields(new PipelineError('JSON_VALIDATION_ERROR', 'bad\nconfig')), { reason: 'bad config' });
  const unknown = new PipelineError('UNKNOWN_ERROR', 'what');
  t.same(failureLogFields(unknown), { err: unknown });
  const raw = new TypeError('boom');
  t.same(failureLogFields(raw), { err: raw });
});
