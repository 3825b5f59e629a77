import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import { registerOpenApi } from '../routes/openapi.js';
import { healthRoutes } from '../routes/health.js';
import { handleError, handleNotFound } from '../routes/http-errors.js';
import { runRoutes } from '../routes/runs.js';
import { schemaRoutes } from '../routes/schemas.js';
import type { ConfigSource } from '../services/config-source/config-source.js';
import { createCallerVerifier, type CallerAuthPolicy, type SigningCertificates } from '../services/runs/caller-auth.js';
import { IdempotencyStore } from '../services/runs/idempotency-store.js';
import { ReconRuns } from '../services/runs/recon-runs.js';
import { RunPool } from '../services/runs/run-pool.js';
import { RunService } from '../services/runs/run-service.js';
import type { Warehouse } from '../services/warehouse/warehouse.js';
import { pipelineSettings } from './adapters.js';
import { createLogger, traceFieldsOf } from './logger.js';
import { localConfigPolicy, SettingsError, type Settings } from './settings.js';

/** A guessable token is no access control. */
const MIN_TOKEN_LENGTH = 16;

/** docs/contract.md#http-api: bodies over 1 MiB answer 413. */
const BODY_LIMIT_BYTES = 1024 * 1024;

export interface BuildAppOptions {
  settings: Settings;
  /** The adapters are the caller's: it opens them before and closes them after the app. */
  warehouse: Warehouse;
  configSource: ConfigSource;
  logger?: Logger;
  /** Signing keys of OIDC ID tokens; Google's published certificates when absent. */
  oidcCertificates?: () => Promise<SigningCertificates>;
  now?: () => Date;
}

/**
 * The HTTP service exactly as production runs it. Closing the app drains it:
 * no new runs, running ones get METRICS_SHUTDOWN_GRACE_MS, then whatever is
 * left is interrupted and recorded as such.
 */
export async function buildApp(options: BuildAppOptions) {
  const { settings, warehouse, configSource } = options;
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? createLogger(settings);
  // Fastify's own logger type, so the app's type does not depend on pino's generics.
  const loggerInstance: FastifyBaseLogger = logger;

  const app = Fastify({
    loggerInstance,
    bodyLimit: BODY_LIMIT_BYTES,
    // Requests during shutdown still reach the routes: status reads keep working, new runs and readiness answer 503.
    return503OnClosing: false,
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    childLoggerFactory: (parent, bindings, childOptions, request) =>
      parent.child({ ...bindings, ...traceFieldsOf(request.headers['x-cloud-trace-context'], settings.GOOGLE_CLOUD_PROJECT) }, childOptions),
    ajv: {
      // Every bad field at once; unknown fields refused rather than dropped.
      customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  const pool = new RunPool({
    runsInFlight: settings.METRICS_RUNS_IN_FLIGHT,
    queueSize: settings.METRICS_RUN_QUEUE_SIZE,
    dependencies: { warehouse, configSource, logger, settings: pipelineSettings(settings), now },
    now,
  });
  const service = new RunService(pool, new ReconRuns(warehouse), new IdempotencyStore(now), settings.METRICS_DEFAULT_RECON_TABLE);
  app.addHook('preClose', async () => service.shutdown(settings.METRICS_SHUTDOWN_GRACE_MS));

  await registerOpenApi(app);
  await app.register(healthRoutes, { service, warehouse });
  await app.register(schemaRoutes);
  await app.register(runRoutes, {
    service,
    verifyCaller: createCallerVerifier(authPolicyOf(settings, options.oidcCertificates)),
    localConfigPolicy: localConfigPolicy(settings),
    waitMaxMs: settings.METRICS_WAIT_MAX_MS,
  });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

/** METRICS_AUTH_MODE with the settings it needs; a missing one stops start-up. */
function authPolicyOf(settings: Settings, certificates?: () => Promise<SigningCertificates>): CallerAuthPolicy {
  switch (settings.METRICS_AUTH_MODE) {
    case 'none':
      return { mode: 'none' };
    case 'token': {
      const token = settings.METRICS_AUTH_TOKEN;
      if (token === undefined || token.length < MIN_TOKEN_LENGTH) {
        throw new SettingsError(`METRICS_AUTH_MODE=token needs METRICS_AUTH_TOKEN of at least ${MIN_TOKEN_LENGTH} characters`);
      }
      return { mode: 'token', token };
    }
    case 'oidc': {
      if (settings.METRICS_OIDC_AUDIENCE === undefined) throw new SettingsError('METRICS_AUTH_MODE=oidc needs METRICS_OIDC_AUDIENCE');
      const emails = settings.METRICS_OIDC_EMAILS.split(',').map((email) => email.trim()).filter((email) => email !== '');
      return { mode: 'oidc', audience: settings.METRICS_OIDC_AUDIENCE, emails, ...(certificates ? { certificates } : {}) };
    }
  }
}
