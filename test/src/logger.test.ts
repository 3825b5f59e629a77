import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger, traceFieldsOf } from '../../src/logger.js';
import { loadSettings } from '../../src/settings.js';

t.test("Cloud Run's trace header becomes Cloud Logging's trace fields", async (t) => {
  t.same(traceFieldsOf('105445aa7843bc8bf206b12000100000/1;o=1', 'proj-a'), {
    'logging.googleapis.com/trace': 'projects/proj-a/traces/105445aa7843bc8bf206b12000100000',
    'logging.googleapis.com/spanId': '0000000000000001',
    'logging.googleapis.com/trace_sampled': true,
  });
  t.same(traceFieldsOf('not a trace', 'proj-a'), {});
  t.same(traceFieldsOf(undefined, undefined), {});
});

t.test('log lines carry severity and message as Cloud Logging reads them', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  createLogger(loadSettings({}), sink).child({ run_id: 'r1' }).warn('hello');
  t.match(JSON.parse(lines[0] ?? '{}'), { severity: 'WARNING', message: 'hello', run_id: 'r1' });
});
