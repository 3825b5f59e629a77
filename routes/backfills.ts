import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { validateBackfillParameters, type LocalConfigPolicy } from '../services/pipeline/run-parameters.js';
import { BackfillSchema, type Backfills } from '../services/runs/backfills.js';
import type { CallerVerifier } from '../services/runs/caller-auth.js';
import { errorResponses } from './http-errors.js';
import { captureRequestFacts, idempotencyKeyOf, requestParametersOf, RunParametersBodySchema, RunRequestHeadersSchema } from './run-request.js';

export interface BackfillRoutesOptions {
  backfills: Backfills;
  verifyCaller: CallerVerifier;
  localConfigPolicy: LocalConfigPolicy;
  /** The one directory local config paths may name (METRICS_LOCAL_CONFIG_DIR). */
  localConfigDirectory: string;
  /** METRICS_BACKFILL_MAX_DATES: the most dates one backfill covers. */
  maxDates: number;
}

const BackfillBodySchema = Type.Object(
  {
    ...RunParametersBodySchema.properties,
    run_date_to: Type.String({ description: 'YYYY-MM-DD, the last date, included; run_date is the first' }),
  },
  { additionalProperties: false, description: 'The run parameters plus run_date_to; retry_failed_of cannot be combined with it' },
);

export const backfillRoutes: FastifyPluginCallbackTypebox<BackfillRoutesOptions> = (app, options, done) => {
  const { backfills, verifyCaller, localConfigPolicy, localConfigDirectory, maxDates } = options;
  const facts = captureRequestFacts(app, verifyCaller);

  app.post(
    '/backfills',
    {
      attachValidation: true,
      schema: {
        tags: ['runs'],
        summary: 'Start a backfill: one run per date from run_date to run_date_to',
        description: [
          '202 with the backfill: its run ids, assigned up front (each readable with GET /runs/{run_id}) and, with only_missing,',
          'the dates skipped because every selected metric already Passed. The runs execute oldest first, one at a time, through',
          'the same bounded queue as POST /runs. The same Idempotency-Key within 24 h, or an identical backfill still in flight,',
          'answers 200 with the same body. List the runs with GET /runs?run_date_from=&run_date_to=.',
        ].join(' '),
        security: [{ bearer: [] }],
        headers: RunRequestHeadersSchema,
        body: BackfillBodySchema,
        response: { 200: BackfillSchema, 202: BackfillSchema, ...errorResponses(400, 401, 403, 409, 413, 415, 429, 500, 503) },
      },
    },
    async (request, reply) => {
      const validate = (body: Record<string, unknown>) => validateBackfillParameters(body, localConfigPolicy, maxDates);
      const parameters = await requestParametersOf(request, facts.sentBodyOf(request), validate, localConfigDirectory);
      const { backfill, created } = await backfills.start(parameters, idempotencyKeyOf(request.headers, facts.callerOf(request)));
      // The backfill id lives only in this answer and this line: the log ties it to its runs.
      if (created) request.log.info({ backfill_id: backfill.backfill_id, runs: backfill.runs, skipped: backfill.skipped }, 'Backfill accepted');
      return reply.code(created && backfill.runs.length > 0 ? 202 : 200).send(backfill);
    },
  );
  done();
};
