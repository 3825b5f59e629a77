import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Readiness } from '../services/runs/readiness.js';
import type { RunService } from '../services/runs/run-service.js';
import { errorResponses } from './http-errors.js';

export interface HealthRoutesOptions {
  service: RunService;
  readiness: Readiness;
}

const Status = (status: string) => Type.Object({ status: Type.Literal(status) });

/** Liveness and readiness; open to every caller, as probes carry no credentials. */
export const healthRoutes: FastifyPluginCallbackTypebox<HealthRoutesOptions> = (app, { service, readiness }, done) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Liveness: the process answers', response: { 200: Status('ok') } } },
    () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the warehouse answers and the instance is not shutting down',
        response: { 200: Status('ready'), ...errorResponses(503) },
      },
    },
    async () => {
      await readiness.check(service.draining);
      return { status: 'ready' as const };
    },
  );
  done();
};
