import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { InvalidRunParametersError, type FieldProblem } from '../services/errors.js';
import {
  ForbiddenError,
  IdempotencyKeyReusedError,
  NothingToRetryError,
  RunInProgressError,
  RunNotFoundError,
  RunQueueFullError,
  ServiceDrainingError,
  UnauthenticatedError,
  WarehouseUnreachableError,
  type RunServiceError,
} from '../services/runs/run-errors.js';

export const FieldProblemSchema = Type.Object({
  field: Type.String(),
  reason: Type.String(),
  index: Type.Optional(Type.Integer()),
  metric_id: Type.Optional(Type.String()),
});

export const ErrorResponseSchema = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String({ description: 'The HTTP reason phrase' }),
    code: Type.String({ description: 'Stable machine-readable code' }),
    message: Type.String(),
    details: Type.Optional(Type.Array(FieldProblemSchema, { description: 'One entry per bad field' })),
    request_id: Type.String({ description: 'The id of this request in the logs; also the X-Request-Id header' }),
  },
  { description: 'An error; never carries a stack trace or a credential' },
);
export type ErrorResponse = Static<typeof ErrorResponseSchema>;

/** Response schemas for the error statuses a route can answer. */
export function errorResponses<const S extends number>(...statuses: S[]): Record<S, typeof ErrorResponseSchema> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorResponseSchema])) as Record<S, typeof ErrorResponseSchema>;
}

/** Typed service errors and the status each answers with. */
const SERVICE_ERROR_STATUS = new Map<new (...args: never[]) => RunServiceError, number>([
  [UnauthenticatedError, 401],
  [ForbiddenError, 403],
  [RunNotFoundError, 404],
  [IdempotencyKeyReusedError, 409],
  [RunInProgressError, 409],
  [NothingToRetryError, 409],
  [RunQueueFullError, 429],
  [ServiceDrainingError, 503],
  [WarehouseUnreachableError, 503],
]);

/** Fastify's own client errors whose codes we rename for callers; their messages are safe to show. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_BAD_URL: 'INVALID_REQUEST',
};

/**
 * The one place errors become HTTP answers: our typed errors, validation,
 * Fastify's own client errors and any plugin's (static files, 404s). 4xx
 * answers are logged without a stack; 5xx answers say nothing of the cause,
 * which goes to the log.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const body = bodyOf(error, request.id);
  if (body.statusCode >= 500 && !(error instanceof ServiceDrainingError)) {
    request.log.error({ err: error }, 'Request failed');
  } else {
    request.log.info({ code: body.code, reason: body.message }, 'Request refused');
  }
  if (error instanceof RunQueueFullError) reply.header('retry-after', String(error.retryAfterSeconds));
  if (error instanceof UnauthenticatedError) reply.header('www-authenticate', 'Bearer');
  return reply.code(body.statusCode).header(REQUEST_ID_HEADER, request.id).send(body);
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const body = errorBody(404, 'ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`, request.id);
  return reply.code(404).header(REQUEST_ID_HEADER, request.id).send(body);
}

/** Every answer carries the request's id, so a caller can quote it and an operator find its log lines. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Errors Node's HTTP parser meets before there is a request (headers too
 * large, a malformed request line, a client too slow to send its headers):
 * the same JSON error body as every other answer, written to the socket.
 */
export function handleClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const requestId = randomUUID();
  const body = JSON.stringify(errorBody(status, codeOfStatus(status), STATUS_CODES[status] ?? 'Client error', requestId));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_HEADER}: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function bodyOf(error: FastifyError, requestId: string): ErrorResponse {
  if (error instanceof InvalidRunParametersError) return errorBody(400, 'INVALID_RUN_PARAMETERS', error.message, requestId, error.problems);
  if (error.validation) {
    const problems = fieldProblemsOf(error.validation, error.validationContext);
    return errorBody(400, 'INVALID_REQUEST', `Invalid request: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`, requestId, problems);
  }
  for (const [type, status] of SERVICE_ERROR_STATUS) {
    if (error instanceof type) return errorBody(status, (error as RunServiceError).code, error.message, requestId);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own messages are written for callers; another plugin's (a static file's path) are not shown.
    if (error.code?.startsWith('FST_')) return errorBody(status, FASTIFY_CODES[error.code] ?? error.code, error.message, requestId);
    return errorBody(status, codeOfStatus(status), STATUS_CODES[status] ?? 'Client error', requestId);
  }
  return errorBody(500, 'INTERNAL_ERROR', 'Internal server error', requestId);
}

/** A stable code for a status no typed error names: its reason phrase, 'Request Header Fields Too Large' → REQUEST_HEADER_FIELDS_TOO_LARGE. */
function codeOfStatus(status: number): string {
  return (STATUS_CODES[status] ?? 'CLIENT_ERROR').toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

export function errorBody(statusCode: number, code: string, message: string, requestId: string, details?: FieldProblem[]): ErrorResponse {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message, ...(details ? { details } : {}), request_id: requestId };
}

/** Ajv's errors as one problem per field, in the words of run-parameter problems. */
export function fieldProblemsOf(validation: FastifySchemaValidationError[], context = 'body'): FieldProblem[] {
  const problems = new Map<string, string>();
  for (const issue of validation) {
    const params: Record<string, unknown> = issue.params;
    const field =
      typeof params.missingProperty === 'string'
        ? params.missingProperty
        : typeof params.additionalProperty === 'string'
          ? params.additionalProperty
          : issue.instancePath.replace(/^\//, '').replaceAll('/', '.') || context;
    const reason =
      typeof params.additionalProperty === 'string'
        ? 'is not a known field'
        : typeof params.missingProperty === 'string'
          ? 'is required'
          : (issue.message ?? 'is invalid');
    if (!problems.has(field)) problems.set(field, reason);
  }
  return [...problems].map(([field, reason]) => ({ field, reason }));
}
