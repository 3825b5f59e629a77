import t from 'tap';
import { lazySchemaCompilers } from '../../src/lazy-schema-compilers.js';

const route = { method: 'POST', url: '/x', httpPart: 'body' };
const schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'], additionalProperties: false };

t.test("a validator compiles at its first call and reports ajv's errors as Fastify reads them", async (t) => {
  const { buildValidator } = lazySchemaCompilers();
  const compile = buildValidator!({}, { customOptions: { allErrors: true, removeAdditional: false }, plugins: [] });
  // A schema that cannot compile is only found at the first call: that is the point of being lazy.
  const broken = compile({ ...route, schema: { type: 'no-such-type' } }) as unknown as (data: unknown) => unknown;
  t.throws(() => broken({}), /type/);
  const validate = compile({ ...route, schema }) as unknown as ((data: unknown) => unknown) & { errors?: unknown };
  t.equal(validate({ n: 1 }), true);
  t.equal(validate({ n: 'x', extra: 1 }), false);
  t.match(validate.errors, [{ keyword: 'additionalProperties' }, { instancePath: '/n', keyword: 'type' }]);
  t.equal(validate({ n: 2 }), true);
  t.equal(validate.errors, null, 'a later success clears the errors');
});

t.test('a serializer compiles at its first call and drops what the schema does not name', async (t) => {
  const { buildSerializer } = lazySchemaCompilers();
  const serialize = buildSerializer!({}, {})({ schema, method: 'GET', url: '/x', httpStatus: '200' });
  t.equal(serialize({ n: 3, secret: 'no' }), '{"n":3}');
});
