import closeWithGrace from 'close-with-grace';
import { createConfigSource, createWarehouse } from './adapters.js';
import { createLogger } from './logger.js';
import { reportFatal } from './process-failures.js';
import { loadSettings } from './settings.js';

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
    // The warehouse opens (DuckDB works on its own threads) while the HTTP app's modules load: a faster cold start.
    const [warehouse, { buildApp }] = await Promise.all([createWarehouse(settings, logger), import('./app.js')]);
    const app = await buildApp({ settings, warehouse, configSource: createConfigSource(settings), logger }).catch(async (error: unknown) => {
      await warehouse.close();
      throw error;
    });

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
