import closeWithGrace from 'close-with-grace';
import { createConfigSource, createWarehouse } from './adapters.js';
import { createLogger } from './logger.js';
import { loadSettings } from './settings.js';

/** Cloud Run kills the process 10 s after SIGTERM; the run grace period plus this must fit. */
const RECORDING_MARGIN_MS = 3_000;

const settings = loadSettings();
const logger = createLogger(settings);
// The warehouse opens (DuckDB works on its own threads) while the HTTP app's modules load: a faster cold start.
const [warehouse, { buildApp }] = await Promise.all([createWarehouse(settings, logger), import('./app.js')]);
const app = await buildApp({ settings, warehouse, configSource: createConfigSource(settings), logger });

// On SIGTERM (or a crash) close the app: it refuses new runs, lets running ones
// go on for the grace period, interrupts and records the rest, then stops listening.
closeWithGrace({ delay: settings.METRICS_SHUTDOWN_GRACE_MS + RECORDING_MARGIN_MS, logger }, async ({ signal, err }) => {
  if (err) logger.error({ err }, 'Closing after an unhandled error');
  else logger.info({ signal }, 'Closing');
  await app.close();
  await warehouse.close();
});

await app.listen({ port: settings.PORT, host: settings.HOST });
