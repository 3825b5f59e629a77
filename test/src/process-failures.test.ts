import { PassThrough } from 'node:stream';
import t from 'tap';
import { EXIT } from '../../src/cli/exit-codes.js';
import { ignoreOutputErrors, reportFatal } from '../../src/process-failures.js';
import { SettingsError } from '../../src/settings.js';

function stderr() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk) => (text += chunk));
  return { stream, text: () => text };
}

t.test('settings problems exit 64, one line each', async (t) => {
  const out = stderr();
  t.equal(reportFatal(new SettingsError(['A must be x', 'B must be y']), out.stream, {}), EXIT.badArguments);
  t.equal(out.text(), 'error: A must be x\nerror: B must be y\n');
});

t.test('anything else exits 2 in one line; the stack only at LOG_LEVEL=debug or trace', async (t) => {
  const error = new TypeError('cannot read things\nof undefined');
  const quiet = stderr();
  t.equal(reportFatal(error, quiet.stream, { LOG_LEVEL: 'info' }), EXIT.runFailed);
  t.equal(quiet.text(), 'error: unexpected failure: cannot read things of undefined\n');
  for (const level of ['debug', 'trace']) {
    const verbose = stderr();
    reportFatal(error, verbose.stream, { LOG_LEVEL: level });
    t.match(verbose.text(), /^error: unexpected failure: cannot read things of undefined\nTypeError: cannot read things\nof undefined\n\s+at /, level);
  }
  const thrown = stderr();
  reportFatal('a string', thrown.stream, { LOG_LEVEL: 'debug' });
  t.equal(thrown.text(), 'error: unexpected failure: a string\n', 'a thrown non-error has no stack to show');
});

t.test('an output stream that fails does not crash the process', async (t) => {
  const stream = new PassThrough();
  ignoreOutputErrors(stream);
  stream.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  await new Promise((resolve) => setImmediate(resolve));
  t.ok(stream.destroyed, 'the error was emitted and absorbed');
});
