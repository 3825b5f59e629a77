import closeWithGrace from 'close-with-grace';
import { createConfigSource, createWarehouse } from './adapters.js';
import { buildApp } from './app.js';
import { createLogger } from './logger.js';
import { ignoreOutputErrors, reportFatal } from './process-failures.js';
import { loadSettings } from './settings.js';

/** Cloud Run kills the process 10 s after SIGTERM; the run grace period plus this must fit. */
const RECORDING_MARGIN_MS = 3_000;

ignoreOutputErrors(process.stdout, process.stderr);
try {
  const settings = loadSettings();
  const logger = createLogger(settings);
  const warehouse = await createWarehouse(settings, logger);
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
} catch (error) {
  // Bad settings exit 64, one line each; anything else 2, in one line. Nothing is listening yet.
  process.exit(reportFatal(error, process.stderr, process.env));
}
