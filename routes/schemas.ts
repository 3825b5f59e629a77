import type { FastifyPluginCallback } from 'fastify';
import { MetricConfigSchema } from '../services/pipeline/metric-config-schema.js';
import { jsonDocumentText } from './openapi.js';

/** The committed form of the metric config's JSON Schema: schemas/metric-config.json. */
export function metricConfigSchemaText(): string {
  return jsonDocumentText(MetricConfigSchema);
}

/**
 * JSON Schemas for editors: open to every caller, as editors fetch them
 * without credentials and they hold no data.
 */
export const schemaRoutes: FastifyPluginCallback = (app, _options, done) => {
  const metricConfig = metricConfigSchemaText();
  app.get('/schemas/metric-config.json', { schema: { hide: true } }, (_request, reply) =>
    reply.type('application/schema+json; charset=utf-8').send(metricConfig),
  );
  done();
};
