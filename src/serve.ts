import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';
import { createConfigSource, createWarehouse } from './adapters.js';
import { createLogger } from './logger.js';
import { reportFatal } from './process-failures.js';
import { OpeningWarehouse } from './opening-warehouse.js';
import { loadSettings, type Settings } from './settings.js';

/** Cloud Run kills the process 10 s after SIGTERM; the run grace period plus this must fit. */
const RECORDING_MARGIN_MS = 3_000;

/**
 * Starts the HTTP service as `npm start` does. Resolves once it listens, or
 * with the exit code when it cannot start: 64 for settings (one line each),
 * 2 for anything else (one line), written to `stderr`.
 */
export async function serve(env: NodeJS.ProcessEnv, stderr: NodeJS.WritableStream): Promise<number | undefined> {
  try {
    const settings = loadSettings(env);
    const logger = createLogger(settings);
    const { warehouse, app } = await openAndBuild(settings, logger);

    // On SIGTERM (or a crash) close the app: it refuses new runs, lets running ones
    // go on for the grace period, interrupts and records the rest, then stops listening.
    closeWithGrace({ delay: settings.METRICS_SHUTDOWN_GRACE_MS + RECORDING_MARGIN_MS, logger }, async ({ signal, err }) => {
      if (err) logger.error({ err }, 'Closing after an unhandled error');
      else logger.info({ signal }, 'Closing');
      await app.close();
      await warehouse.close();
    });

    await app.listen({ port: settings.PORT, host: settings.HOST });
    return undefined;
  } catch (error) {
    return reportFatal(error, stderr, env);
  }
}

/**
 * Opens the warehouse and builds the HTTP app side by side: DuckDB opens on
 * its own threads while the main thread loads and builds the app, which is
 * handed the warehouse still opening. If either fails, whichever succeeded is
 * closed and the first failure is thrown.
 */
async function openAndBuild(settings: Settings, logger: Logger) {
  const opening = createWarehouse(settings, logger);
  const building = import('./app.js').then(({ buildApp }) =>
    buildApp({ settings, warehouse: new OpeningWarehouse(opening), configSource: createConfigSource(settings), logger }),
  );
  const [opened, built] = await Promise.allSettled([opening, building]);
  if (opened.status === 'fulfilled' && built.status === 'fulfilled') return { warehouse: opened.value, app: built.value };
  if (built.status === 'fulfilled') await built.value.close();
  if (opened.status === 'fulfilled') await opened.value.close();
  throw opened.status === 'rejected' ? opened.reason : (built as PromiseRejectedResult).reason;
}
