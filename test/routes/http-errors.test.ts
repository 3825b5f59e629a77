import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { build, type ErrorResponse } from '../helpers/build-app.js';

/** The real app listening on a loopback port, with its log lines kept; one for the whole file. */
async function listening(t: Test) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const { app } = await build(t, { app: { logger } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { app, port, lines };
}

const server = listening(t);

/** A raw GET: the path goes out exactly as written, undecoded. */
function get(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; requestId: string | undefined }>((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, requestId: response.headers['x-request-id'] as string | undefined }));
    });
    request.on('error', reject).end();
  });
}

/** A 4xx answer in the one error shape, with its code and request id, and no stack. */
function isClientError(t: Test, answer: { status: number; body: string; requestId: string | undefined }, status: number, code: string) {
  t.equal(answer.status, status);
  const body = JSON.parse(answer.body) as ErrorResponse;
  t.match(body, { statusCode: status, code, request_id: /^[0-9a-f-]{36}$/ });
  t.equal(body.request_id, answer.requestId, 'the body names the id of the X-Request-Id header');
  t.notMatch(answer.body, /\s+at\s|node_modules|\/work\//, 'no stack, no server paths');
}

t.test("a static file plugin's refusal (path traversal) is a 403 in the error shape, logged without a stack", async (t) => {
  const { port, lines } = await server;
  isClientError(t, await get(port, '/docs/static/%2e%2e/%2e%2e/package.json'), 403, 'FORBIDDEN');
  t.notOk(lines.some((line) => Number(line.level) >= 50 || JSON.stringify(line).includes('"stack"')), 'no error line, no stack');
  t.ok(lines.some((line) => line.msg === 'Request refused' && line.code === 'FORBIDDEN'));
});

t.test('headers too large answer 431 in the error shape, with a code and a request id', async (t) => {
  const { port } = await server;
  isClientError(t, await get(port, '/healthz', { 'x-large': 'a'.repeat(20_000) }), 431, 'REQUEST_HEADER_FIELDS_TOO_LARGE');
});

t.test('a malformed request line answers 400 in the error shape', async (t) => {
  const { port } = await server;
  const raw = await new Promise<string>((resolve, reject) => {
    let text = '';
    const socket = connect(port, '127.0.0.1', () => socket.write('GARBAGE\r\n\r\n'));
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text)).on('error', reject);
  });
  t.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
  t.match(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)), { statusCode: 400, code: 'BAD_REQUEST', request_id: /^[0-9a-f-]{36}$/ });
});

t.test('a URL that cannot be decoded answers 400 through the one error handler', async (t) => {
  const { port } = await server;
  isClientError(t, await get(port, '/runs/%'), 400, 'INVALID_REQUEST');
});

t.test('an unknown route and a missing static file answer 404 in the error shape', async (t) => {
  const { port } = await server;
  isClientError(t, await get(port, '/nothing-here'), 404, 'ROUTE_NOT_FOUND');
  isClientError(t, await get(port, '/docs/static/no-such-file.js'), 404, 'ROUTE_NOT_FOUND');
});

t.test('every answer carries X-Request-Id, successes too, and each request has its own', async (t) => {
  const { port } = await server;
  const first = await get(port, '/healthz');
  const second = await get(port, '/healthz');
  t.equal(first.status, 200);
  t.match(first.requestId, /^[0-9a-f-]{36}$/);
  t.not(first.requestId, second.requestId);
});
