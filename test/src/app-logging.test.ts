import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../src/logger.js';
import { loadSettings } from '../../src/settings.js';
import { build } from '../helpers/build-app.js';

t.test('request logs carry the request id and the Cloud Run trace', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  const settings = { GOOGLE_CLOUD_PROJECT: 'proj-a' };
  const logger = createLogger({ ...loadSettings({}), ...settings }, sink);
  const { app } = await build(t, { settings, app: { logger } });
  await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/7;o=1' } });
  const requestLine = lines.find((line) => line.message === 'incoming request');
  t.match(requestLine, {
    severity: 'INFO',
    request_id: /^[0-9a-f-]{36}$/,
    'logging.googleapis.com/trace': 'projects/proj-a/traces/105445aa7843bc8bf206b12000100000',
  });
});
