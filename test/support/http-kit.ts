import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Fault, FaultPlan } from './fault-plan.js';

/** The error body Google JSON APIs answer with. */
export function errorBody(status: number, reason: string, message: string) {
  return { error: { code: status, message, errors: [{ reason, message, domain: 'global' }], status: statusName(status) } };
}

function statusName(status: number): string {
  const names: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    409: 'ALREADY_EXISTS',
    429: 'RESOURCE_EXHAUSTED',
    500: 'INTERNAL',
    503: 'UNAVAILABLE',
  };
  return names[status] ?? 'UNKNOWN';
}

/** An error a handler throws to answer with `status` and the documented body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function parseJson(body: Buffer): Record<string, unknown> {
  return body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
}

/** A JSON answer; an undefined body answers with none (204 No Content). */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) return void response.writeHead(status).end();
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  response.end(JSON.stringify(body));
}

/**
 * Runs one request through the fault plan: counts it, applies its fault, and
 * otherwise serves it with `serve`, whose thrown HttpError becomes an error body.
 * Returns the fault met, for faults the endpoint itself interprets (stuck-job, job-error).
 */
export async function serveWithFaults(
  faults: FaultPlan,
  endpoint: string,
  response: ServerResponse,
  serve: (fault: Fault | undefined) => Promise<{ status: number; body: unknown } | void>,
): Promise<void> {
  const fault = faults.take(endpoint);
  if (fault?.kind === 'drop-before') return void response.socket?.destroy();
  if (fault?.kind === 'latency') await delay(fault.ms);
  if (fault?.kind === 'status') {
    return sendJson(response, fault.status, errorBody(fault.status, fault.reason, fault.message ?? `Injected ${fault.reason}`));
  }
  try {
    const answer = await serve(fault);
    if (fault?.kind === 'drop-after') return void response.socket?.destroy();
    if (answer) sendJson(response, answer.status, answer.body);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    sendJson(response, error.status, errorBody(error.status, error.reason, error.message));
  }
}

/** Serves `handle` on a random loopback port; a handler crash answers 500 with its text. */
export async function listenOnLoopback(
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => response.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
