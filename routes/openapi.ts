import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI 3 document, generated from the route schemas: served at
 * /openapi.json, browsable at /docs, committed as openapi/openapi.json.
 * Registered on the root instance before the routes, so it sees every one of them.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Metrics pipeline',
        description: 'Runs SQL-defined metrics in the warehouse and reports each run from its recon (audit) rows.',
        version: '1.0.0',
      },
      tags: [
        { name: 'runs', description: 'Start, follow and list pipeline runs' },
        { name: 'health', description: 'Probes' },
      ],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'With METRICS_AUTH_MODE=token the static token; with oidc a Google-signed ID token (Cloud Scheduler OIDC)',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
}

/** The committed form of the document. */
export function openApiText(app: FastifyInstance): string {
  return jsonDocumentText(app.swagger());
}

/** How generated documents are committed: stable key order as generated, two-space indent, final newline. */
export function jsonDocumentText(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
