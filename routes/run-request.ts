import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { InvalidRunParametersError, type FieldProblem } from '../services/errors.js';
import { validateRunParameters, type LocalConfigPolicy, type RunParameters } from '../services/pipeline/run-parameters.js';
import { localConfigPathProblem } from '../services/config-source/local-config-directory.js';
import type { CallerVerifier } from '../services/runs/caller-auth.js';
import type { IdempotencyKey } from '../services/runs/idempotency-store.js';
import { fieldProblemsOf } from './http-errors.js';

/** The shape of POST /runs: the names of docs/contract.md#run-parameters; validateRunParameters holds the rules. */
export const RunParametersBodySchema = Type.Object(
  {
    gcs_path: Type.String({ description: 'gs://bucket/object; a local path or file:// URL only where the service allows local configs' }),
    run_date: Type.String({ description: 'YYYY-MM-DD, a real calendar date' }),
    dependencies: Type.Union([Type.String(), Type.Array(Type.String())], {
      description: 'Dependency groups: an array of names or one comma-separated string; blanks dropped; at least one',
    }),
    partition_info_table: Type.String({ description: 'project.dataset.table' }),
    env: Type.String({ description: 'DEV, BLD, INT, PRE or PRD, any case' }),
    recon_table: Type.String({ description: 'project.dataset.table' }),
    metric_ids: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String())], {
        description: 'Run only these metrics of the selected dependencies: an array or one comma-separated string',
      }),
    ),
    retry_failed_of: Type.Optional(Type.String({ description: 'A run_id: run only the metrics that Failed in that run (same run_date)' })),
    only_missing: Type.Optional(Type.Boolean({ description: 'Leave out the metrics that already have a Passed recon row for the date' })),
  },
  { additionalProperties: false, description: 'Run parameters; unknown fields are refused, so a typo cannot fall back to anything' },
);

export const RunRequestHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Returns the same run for 24 h' })),
  'x-cloudscheduler-jobname': Type.Optional(Type.String({ description: 'With X-CloudScheduler-ScheduleTime, forms the idempotency key' })),
  'x-cloudscheduler-scheduletime': Type.Optional(Type.String()),
});

/** What the run routes know of a request before its handler: who called, and the body as it was sent. */
export interface RequestFacts {
  /** The caller's verified identity; idempotency keys are scoped by it. */
  callerOf(request: FastifyRequest): string;
  /** The body before the schema check coerced its types in place (0 would become the dependency "0"). */
  sentBodyOf(request: FastifyRequest): unknown;
}

/** Verifies every caller of the plugin's routes, and keeps what RequestFacts tells about each request. */
export function captureRequestFacts(app: FastifyInstance, verifyCaller: CallerVerifier): RequestFacts {
  const callers = new WeakMap<FastifyRequest, string>();
  const sentBodies = new WeakMap<FastifyRequest, unknown>();
  app.addHook('onRequest', async (request) => {
    callers.set(request, await verifyCaller(request.headers.authorization));
  });
  app.addHook('preValidation', (request, _reply, done) => {
    sentBodies.set(request, structuredClone(request.body));
    done();
  });
  return {
    callerOf: (request) => callers.get(request) as string,
    sentBodyOf: (request) => sentBodies.get(request),
  };
}

/**
 * The run parameters of a POST /runs request, or InvalidRunParametersError
 * naming every bad field at once (see requestParametersOf).
 */
export function runParametersOf(
  request: FastifyRequest,
  sentBody: unknown,
  policy: LocalConfigPolicy,
  localConfigDirectory: string,
): Promise<RunParameters> {
  return requestParametersOf(request, sentBody, (body) => validateRunParameters(body, policy), localConfigDirectory);
}

/**
 * A request body checked by its schema and by `validate` together: the
 * schema's findings (unknown fields, wrong types) and the rules' (judged on
 * `sentBody`, the body as sent) at once, one reason per field, the rule's
 * reason winning. A local config path must lie under `localConfigDirectory`.
 */
export async function requestParametersOf<T extends { gcs_path: string }>(
  request: FastifyRequest,
  sentBody: unknown,
  validate: (body: Record<string, unknown>) => T,
  localConfigDirectory: string,
): Promise<T> {
  const shapeError = request.validationError as (Error & { validation: FastifySchemaValidationError[]; validationContext?: string }) | undefined;
  const shapeProblems = shapeError ? fieldProblemsOf(shapeError.validation, shapeError.validationContext) : [];
  const body = isRecord(sentBody) ? sentBody : {};
  let ruleProblems: FieldProblem[] = [];
  let parameters: T | undefined;
  try {
    parameters = validate(body);
  } catch (error) {
    if (!(error instanceof InvalidRunParametersError)) throw error;
    ruleProblems = error.problems;
  }
  const pathProblem = parameters ? await localConfigPathProblem(parameters.gcs_path, localConfigDirectory) : undefined;
  if (pathProblem !== undefined) ruleProblems.push({ field: 'gcs_path', reason: pathProblem });
  const ruled = new Set(ruleProblems.map((problem) => problem.field));
  const problems = [...ruleProblems, ...shapeProblems.filter((problem) => !ruled.has(problem.field))];
  if (problems.length > 0 || parameters === undefined) throw new InvalidRunParametersError(problems);
  return parameters;
}

/**
 * An explicit Idempotency-Key wins; Cloud Scheduler's job name and schedule
 * time stay the same across its retries. Either is scoped by the caller's
 * verified identity.
 */
export function idempotencyKeyOf(headers: FastifyRequest['headers'], caller: string): IdempotencyKey | undefined {
  const explicit = headerText(headers['idempotency-key']);
  if (explicit !== undefined) return { caller, key: `key:${explicit}` };
  const job = headerText(headers['x-cloudscheduler-jobname']);
  const scheduled = headerText(headers['x-cloudscheduler-scheduletime']);
  return job !== undefined && scheduled !== undefined ? { caller, key: `scheduler:${job}@${scheduled}` } : undefined;
}

function headerText(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
