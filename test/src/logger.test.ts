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

function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

t.test('log lines carry severity and message as Cloud Logging reads them', async (t) => {
  const { stream, entries } = sink();
  createLogger(loadSettings({}), stream).child({ run_id: 'r1' }).warn('hello');
  t.match(entries()[0], { severity: 'WARNING', message: 'hello', run_id: 'r1', timestamp: { seconds: Number, nanos: Number } });
});

t.test('an error line carries its stack and the service, for Error Reporting', async (t) => {
  const { stream, entries } = sink();
  createLogger(loadSettings({ K_SERVICE: 'metrics-svc', K_REVISION: 'metrics-svc-00042' }), stream).error({ err: new Error('boom') }, 'failed');
  t.match(entries()[0], {
    severity: 'ERROR',
    message: 'failed',
    stack_trace: /^Error: boom\n\s+at /,
    serviceContext: { service: 'metrics-svc', version: 'metrics-svc-00042' },
  });
});

t.test('insertIds increase, so lines of one millisecond keep their order', async (t) => {
  const { stream, entries } = sink();
  const logger = createLogger(loadSettings({ LOG_LEVEL: 'debug' }), stream);
  for (const level of ['debug', 'info', 'fatal'] as const) logger[level]('line');
  const ids = entries().map((entry) => entry['logging.googleapis.com/insertId'] as string);
  t.same([...ids].sort(), ids);
  t.equal(new Set(ids).size, 3);
  t.same(entries().map((entry) => entry['severity']), ['DEBUG', 'INFO', 'CRITICAL']);
});
