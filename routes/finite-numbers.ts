/** The keyword number schemas of query parameters carry; an OpenAPI vendor extension, so the document stays valid. */
export const FINITE = 'x-finite';

interface KeywordError {
  keyword: string;
  message: string;
  params: Record<string, never>;
}

interface FiniteCheck {
  (schema: unknown, data: unknown): boolean;
  errors?: KeywordError[];
}

/**
 * An Ajv plugin for Fastify's validator. Ajv coerces the query text
 * 'Infinity' (or '1e400') to Infinity and then skips minimum, maximum and its
 * own integer check for it: `?limit=Infinity` passed `maximum: 100`. Number
 * schemas marked with FINITE refuse any number that is not finite, after coercion.
 */
export function finiteNumbers<A extends { addKeyword(definition: { keyword: string; validate: FiniteCheck; errors: boolean }): unknown }>(ajv: A): A {
  const check: FiniteCheck = (_schema, data) => {
    if (typeof data !== 'number' || Number.isFinite(data)) return true;
    check.errors = [{ keyword: FINITE, message: 'must be a finite number', params: {} }];
    return false;
  };
  ajv.addKeyword({ keyword: FINITE, validate: check, errors: true });
  return ajv;
}
