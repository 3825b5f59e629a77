import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DryRunFailureSchema, DryRunPlanSchema } from '../services/pipeline/dry-run-report.js';
import type { LocalConfigPolicy } from '../services/pipeline/run-parameters.js';
import type { CallerVerifier } from '../services/runs/caller-auth.js';
import { RUN_STATUSES, RunDocumentSchema, RunSummarySchema, SkippedRunSchema, type RunDocument } from '../services/runs/run-document.js';
import type { RunService } from '../services/runs/run-service.js';
import { FINITE } from './finite-numbers.js';
import { errorResponses } from './http-errors.js';
import { captureRequestFacts, idempotencyKeyOf, RunParametersBodySchema, RunRequestHeadersSchema, runParametersOf } from './run-request.js';

export interface RunRoutesOptions {
  service: RunService;
  verifyCaller: CallerVerifier;
  localConfigPolicy: LocalConfigPolicy;
  /** The one directory local config paths may name (METRICS_LOCAL_CONFIG_DIR). */
  localConfigDirectory: string;
  /** The longest a wait=true request is held. */
  waitMaxMs: number;
}

/** Far past any recon table's count of runs, and far inside what the warehouse's OFFSET and a JS number hold exactly. */
const MAX_OFFSET = 1_000_000;

const ReconTableQuery = Type.Optional(
  Type.String({ description: 'project.dataset.table of the recon table to read; METRICS_DEFAULT_RECON_TABLE when absent' }),
);

/**
 * In wait mode the HTTP status tells a scheduler the outcome: 200 succeeded,
 * 422 partial or failed (a 4xx, like the CLI's non-zero exits; a retry
 * returns the same run, so retrying is harmless but pointless), 202 still
 * running when the wait ran out.
 */
function waitStatusOf(document: RunDocument): 200 | 202 | 422 {
  if (document.status === 'succeeded') return 200;
  return document.status === 'queued' || document.status === 'running' ? 202 : 422;
}

const PostRunsSchema = {
  tags: ['runs'],
  summary: 'Start a run',
  description: [
    '202 with the new run and Location. An identical run still queued or running, or the same Idempotency-Key',
    '(or Cloud Scheduler job name and schedule time) within 24 h, returns the existing run with 200: no second execution.',
    'With wait=true the request is held until the run ends: 200 succeeded, 422 partial or failed, 202 if still running',
    'when the configured maximum wait ran out. metric_ids, retry_failed_of and only_missing narrow the metrics that run:',
    'an id outside the dependencies answers 400, an unknown retry_failed_of run 404, a run still in flight',
    '409 RUN_IN_PROGRESS, a run with nothing Failed 409 NOTHING_TO_RETRY; with only_missing, a date on which every',
    'selected metric already Passed answers 200 {status: "skipped", run_date} and starts nothing.',
    'With dry_run=true nothing is written anywhere: 200 with a report of each metric (resolved SQL, partition dates, bytes),',
    'or 422 with the run_failure of a run that would fail as a whole.',
  ].join(' '),
  security: [{ bearer: [] }],
  querystring: Type.Object(
    {
      wait: Type.Boolean({ default: false, description: 'Hold the request until the run ends' }),
      dry_run: Type.Boolean({ default: false, description: 'Check everything a run does up to the warehouse write, write nothing, answer the report' }),
    },
    { additionalProperties: false },
  ),
  headers: RunRequestHeadersSchema,
  body: RunParametersBodySchema,
  response: {
    200: Type.Union([RunDocumentSchema, SkippedRunSchema, DryRunPlanSchema]),
    202: RunDocumentSchema,
    422: Type.Union([RunDocumentSchema, DryRunFailureSchema]),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429, 500, 503),
  },
};

const GetRunSchema = {
  tags: ['runs'],
  summary: 'One run',
  description: 'A run in flight is answered by the instance running it; a finished run from the recon table.',
  security: [{ bearer: [] }],
  params: Type.Object({ run_id: Type.String({ minLength: 1, maxLength: 200 }) }),
  querystring: Type.Object({ recon_table: ReconTableQuery }, { additionalProperties: false }),
  response: { 200: RunDocumentSchema, ...errorResponses(400, 401, 403, 404, 500) },
};

const ListRunsSchema = {
  tags: ['runs'],
  summary: 'Runs, newest first',
  description:
    'The first page starts with up to limit runs this instance has queued or running (the last accepted first; narrow them ' +
    'with the filters); then the finished runs the recon table holds, from any instance. limit and next_offset count finished ' +
    'runs. Runs in flight on other instances appear once they finish.',
  security: [{ bearer: [] }],
  querystring: Type.Object(
    {
      run_date: Type.Optional(Type.String({ format: 'date', description: 'Only runs of this run_date' })),
      run_date_from: Type.Optional(Type.String({ format: 'date', description: 'Only runs of this run_date or later (a backfill\'s first date)' })),
      run_date_to: Type.Optional(Type.String({ format: 'date', description: 'Only runs of this run_date or earlier (a backfill\'s last date)' })),
      status: Type.Optional(Type.Union(RUN_STATUSES.map((status) => Type.Literal(status)))),
      limit: Type.Integer({ minimum: 1, maximum: 100, default: 20, [FINITE]: true }),
      offset: Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0, [FINITE]: true, description: 'next_offset of the previous page' }),
      recon_table: ReconTableQuery,
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({
      runs: Type.Array(RunSummarySchema),
      next_offset: Type.Union([Type.Integer(), Type.Null()], { description: 'The offset of the next page; null on the last' }),
    }),
    ...errorResponses(400, 401, 403, 500),
  },
};

export const runRoutes: FastifyPluginCallbackTypebox<RunRoutesOptions> = (app, options, done) => {
  const { service, verifyCaller, localConfigPolicy, localConfigDirectory, waitMaxMs } = options;
  const facts = captureRequestFacts(app, verifyCaller);

  app.post('/runs', { attachValidation: true, schema: PostRunsSchema }, async (request, reply) => {
    const parameters = await runParametersOf(request, facts.sentBodyOf(request), localConfigPolicy, localConfigDirectory);
    if (request.query.dry_run) {
      const report = await service.dryRun(parameters);
      return reply.code('run_failure' in report ? 422 : 200).send(report);
    }
    const started = await service.start(parameters, idempotencyKeyOf(request.headers, facts.callerOf(request)));
    if ('status' in started) return reply.code(200).send(started);
    const { runId, created } = started;
    reply.header('location', `/runs/${encodeURIComponent(runId)}`);
    if (request.query.wait) {
      const document = await service.waitFor(runId, parameters.recon_table, waitMaxMs);
      return reply.code(waitStatusOf(document)).send(document);
    }
    return reply.code(created ? 202 : 200).send(await service.find(runId, parameters.recon_table));
  });

  app.get('/runs/:run_id', { schema: GetRunSchema }, async (request) => service.find(request.params.run_id, request.query.recon_table));

  app.get('/runs', { schema: ListRunsSchema }, async (request) => {
    const { recon_table: reconTable, ...filter } = request.query;
    return service.list(filter, reconTable);
  });
  done();
};
