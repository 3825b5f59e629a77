import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { PrettyOptions } from 'pino-pretty';
import type { Settings } from './settings.js';

/**
 * The service's logger: JSON in Cloud Logging's shape (severity, message,
 * trace) for machines; pretty lines only when a person watches a terminal.
 */
export function createLogger(settings: Settings, destination?: DestinationStream): Logger {
  if (destination === undefined && process.stdout.isTTY) return pino({ level: settings.LOG_LEVEL }, prettyDestination());
  const options = cloudLoggingOptions(settings);
  return destination === undefined ? pino(options) : pino(options, destination);
}

/**
 * Readable lines for a person at a terminal. pino-pretty is loaded here, on
 * first use, because machines (Cloud Run, pipes) never need it and it is a
 * start-up cost for them.
 */
export function prettyDestination(options?: PrettyOptions): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as { default: (options?: PrettyOptions) => DestinationStream };
  return pretty.default(options);
}

const SEVERITY: Record<string, string> = { trace: 'DEBUG', debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', fatal: 'CRITICAL' };

/**
 * pino options for Cloud Logging's structured JSON
 * (https://cloud.google.com/logging/docs/structured-logging): `severity`,
 * `message`, `timestamp` as seconds and nanos, `serviceContext` and
 * `stack_trace` so Error Reporting picks errors up, and an increasing
 * `insertId` that keeps lines of one millisecond in order. This is the shape
 * @google-cloud/pino-logging-gcp-config makes; that package loads the whole
 * Cloud Logging client, which took a third of the service's start-up.
 */
function cloudLoggingOptions(settings: Settings): LoggerOptions {
  const serviceContext = { service: settings.K_SERVICE ?? 'metrics-pipeline', ...(settings.K_REVISION ? { version: settings.K_REVISION } : {}) };
  const instance = randomBytes(6).toString('hex');
  let sequence = 0;
  return {
    level: settings.LOG_LEVEL,
    messageKey: 'message',
    timestamp: () => {
      const now = Date.now();
      return `,"timestamp":{"seconds":${Math.floor(now / 1000)},"nanos":${(now % 1000) * 1_000_000}}`;
    },
    formatters: {
      level: (label, level) => ({ severity: SEVERITY[label] ?? 'INFO', level }),
      log: (entry) => ({
        ...entry,
        serviceContext,
        ...(entry['err'] instanceof Error && entry['err'].stack ? { stack_trace: entry['err'].stack } : {}),
        'logging.googleapis.com/insertId': `${String(++sequence).padStart(12, '0')}-${instance}`,
      }),
    },
  };
}

/**
 * Cloud Logging's trace fields from Cloud Run's
 * `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1`, to bind on a request's child
 * logger (bindings bypass the formatter that renames trace_id, so they are
 * named here). Span ids arrive decimal; Cloud Logging wants 16 hex digits.
 */
export function traceFieldsOf(header: string | string[] | undefined, projectId: string | undefined): Record<string, string | boolean> {
  const match = /^([0-9a-f]{32})(?:\/(\d+))?(?:;o=([01]))?/i.exec(Array.isArray(header) ? (header[0] ?? '') : (header ?? ''));
  if (!match?.[1]) return {};
  const traceId = match[1].toLowerCase();
  const fields: Record<string, string | boolean> = {
    'logging.googleapis.com/trace': projectId ? `projects/${projectId}/traces/${traceId}` : traceId,
  };
  if (match[2]) fields['logging.googleapis.com/spanId'] = BigInt(match[2]).toString(16).padStart(16, '0');
  if (match[3] === '1') fields['logging.googleapis.com/trace_sampled'] = true;
  return fields;
}
