import AjvCompiler from '@fastify/ajv-compiler';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = ReturnType<typeof AjvCompiler>;
type SerializerFactory = ReturnType<typeof SerializerSelector>;
type Compiled = ((data: unknown) => unknown) & { errors?: unknown };

/**
 * Fastify's own compilers (ajv for requests, fast-json-stringify for
 * responses, made as Fastify makes them by default), run for a route's schema
 * at the route's first request instead of at start-up. Compiling every
 * route's schemas made Fastify's ready step take about 120 ms of a cold start
 * (7 ms now); the first request a new instance serves is a readiness probe,
 * which compiles only its own small schema. The libraries themselves load
 * with the app, while the warehouse opens (serve.ts), not at that first
 * request. Every route is exercised by the tests, so a schema that does not
 * compile still fails before a deploy.
 */
export function lazySchemaCompilers(): CompilersFactory {
  let validators: ValidatorFactory | undefined;
  let serializers: SerializerFactory | undefined;
  const buildValidator: ValidatorFactory = (externalSchemas, options) => (route) =>
    onFirstCall(() => {
      validators ??= AjvCompiler();
      return validators(externalSchemas, options)(route) as Compiled;
    }) as unknown as ReturnType<ReturnType<ValidatorFactory>>;
  const buildSerializer: SerializerFactory = (externalSchemas, options) => (route) =>
    onFirstCall(() => {
      serializers ??= SerializerSelector();
      return serializers(externalSchemas, options)(route) as Compiled;
    }) as (doc: unknown) => string;
  return { buildValidator, buildSerializer };
}

/** A function compiled at its first call; a validator's `errors` (ajv's way of reporting) are passed through. */
function onFirstCall(compile: () => Compiled): Compiled {
  let compiled: Compiled | undefined;
  const call: Compiled = (data) => {
    compiled ??= compile();
    const result = compiled(data);
    call.errors = compiled.errors;
    return result;
  };
  return call;
}
