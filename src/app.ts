import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import { backfillRoutes } from '../routes/backfills.js';
import { registerOpenApi } from '../routes/openapi.js';
import { healthRoutes } from '../routes/health.js';
import { finiteNumbers } from '../routes/finite-numbers.js';
import { handleClientError, handleError, handleNotFound, REQUEST_ID_HEADER } from '../routes/http-errors.js';
import { runRoutes } from '../routes/runs.js';
import { schemaRoutes } from '../routes/schemas.js';
import type { ConfigSource } from '../services/config-source/config-source.js';
import { Backfills } from '../services/runs/backfills.js';
import { confineLocalConfigs } from '../services/config-source/local-config-directory.js';
import { createCallerVerifier, type CallerAuthPolicy, type SigningCertificates } from '../services/runs/caller-auth.js';
import { IdempotencyStore } from '../services/runs/idempotency-store.js';
import { Readiness } from '../services/runs/readiness.js';
import { ReconRuns } from '../services/runs/recon-runs.js';
import { RunPool } from '../services/runs/run-pool.js';
import { RunSelection } from '../services/runs/run-selection.js';
import { RunService } from '../services/runs/run-service.js';
import type { Warehouse } from '../services/warehouse/warehouse.js';
import { pipelineSettings } from './adapters.js';
import { createLogger, traceFieldsOf } from './logger.js';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';
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
  const { settings, warehouse } = options;
  // Whoever built the config source, the HTTP service reads local configs only under METRICS_LOCAL_CONFIG_DIR.
  const configSource = confineLocalConfigs(options.configSource, settings.METRICS_LOCAL_CONFIG_DIR);
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? createLogger(settings);
  const authPolicy = authPolicyOf(settings, logger, options.oidcCertificates);
  const app = createFastify(settings, logger);

  const pool = new RunPool({
    runsInFlight: settings.METRICS_RUNS_IN_FLIGHT,
    queueSize: settings.METRICS_RUN_QUEUE_SIZE,
    dependencies: { warehouse, configSource, logger, settings: pipelineSettings(settings), now },
    now,
  });
  const recon = new ReconRuns(warehouse);
  const selection = new RunSelection(configSource, recon, (runId) => pool.find(runId) !== undefined);
  const service = new RunService(pool, recon, new IdempotencyStore(now), settings.METRICS_DEFAULT_RECON_TABLE, selection);
  app.addHook('preClose', async () => service.shutdown(settings.METRICS_SHUTDOWN_GRACE_MS));

  await registerOpenApi(app);
  await app.register(healthRoutes, { service, readiness: new Readiness(warehouse, now) });
  await app.register(schemaRoutes);
  const verifyCaller = createCallerVerifier(authPolicy);
  await app.register(runRoutes, {
    service,
    verifyCaller,
    localConfigPolicy: localConfigPolicy(settings),
    localConfigDirectory: settings.METRICS_LOCAL_CONFIG_DIR,
    waitMaxMs: settings.METRICS_WAIT_MAX_MS,
  });
  await app.register(backfillRoutes, {
    backfills: new Backfills(pool, selection, new IdempotencyStore(now)),
    verifyCaller,
    localConfigPolicy: localConfigPolicy(settings),
    localConfigDirectory: settings.METRICS_LOCAL_CONFIG_DIR,
    maxDates: settings.METRICS_BACKFILL_MAX_DATES,
  });
  return app;
}

/**
 * Fastify with the service's logging and validation, and the one error
 * handler for every error: those of routes and plugins, and those met before
 * routing (a bad URL) or before there is a request (headers too large).
 * Every answer carries the request's id.
 */
function createFastify(settings: Settings, logger: Logger) {
  // Fastify's own logger type, so the app's type does not depend on pino's generics.
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance,
    bodyLimit: BODY_LIMIT_BYTES,
    // Requests during shutdown still reach the routes: status reads keep working, new runs and readiness answer 503.
    return503OnClosing: false,
    genReqId: () => randomUUID(),
    frameworkErrors: (error, request, reply) => {
      handleError(error, request, reply);
    },
    clientErrorHandler: handleClientError,
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    childLoggerFactory: (parent, bindings, childOptions, request) =>
      parent.child({ ...bindings, ...traceFieldsOf(request.headers['x-cloud-trace-context'], settings.GOOGLE_CLOUD_PROJECT) }, childOptions),
    schemaController: { compilersFactory: lazySchemaCompilers() },
    ajv: {
      // Every bad field at once; unknown fields refused rather than dropped.
      customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true },
      plugins: [finiteNumbers],
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

/**
 * METRICS_AUTH_MODE with the settings it needs; a missing one stops start-up.
 * Fails closed: oidc with no allowed emails must be allowed explicitly, and is then logged.
 */
function authPolicyOf(settings: Settings, logger: Logger, certificates?: () => Promise<SigningCertificates>): CallerAuthPolicy {
  switch (settings.METRICS_AUTH_MODE) {
    case 'none':
      return { mode: 'none' };
    case 'token': {
      const token = settings.METRICS_AUTH_TOKEN;
      if (token === undefined || token.length < MIN_TOKEN_LENGTH) {
        throw new SettingsError([`METRICS_AUTH_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters with METRICS_AUTH_MODE=token`]);
      }
      return { mode: 'token', token };
    }
    case 'oidc': {
      const emails = settings.METRICS_OIDC_EMAILS.split(',').map((email) => email.trim()).filter((email) => email !== '');
      const problems: string[] = [];
      if (settings.METRICS_OIDC_AUDIENCE === undefined) problems.push('METRICS_OIDC_AUDIENCE must be set (the service URL) with METRICS_AUTH_MODE=oidc');
      if (emails.length === 0 && !settings.METRICS_OIDC_ALLOW_ANY_IDENTITY) {
        problems.push(
          'METRICS_OIDC_EMAILS must list the caller emails allowed with METRICS_AUTH_MODE=oidc (comma-separated); ' +
            'to let any Google-signed identity call, set METRICS_OIDC_ALLOW_ANY_IDENTITY=true',
        );
      }
      if (problems.length > 0 || settings.METRICS_OIDC_AUDIENCE === undefined) throw new SettingsError(problems);
      if (emails.length === 0) logger.warn('METRICS_OIDC_ALLOW_ANY_IDENTITY=true: any Google-signed identity with the audience may start runs');
      return { mode: 'oidc', audience: settings.METRICS_OIDC_AUDIENCE, emails, ...(certificates ? { certificates } : {}) };
    }
  }
}
