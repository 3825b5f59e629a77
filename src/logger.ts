import { createGcpLoggingPinoConfig } from '@google-cloud/pino-logging-gcp-config';
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Settings } from './settings.js';

/**
 * The service's logger: JSON in Cloud Logging's shape (severity, message,
 * trace) for machines; pretty lines only when a person watches a terminal.
 */
export function createLogger(settings: Settings, destination?: DestinationStream): Logger {
  if (destination === undefined && process.stdout.isTTY) return pino({ level: settings.LOG_LEVEL }, pretty());
  const options = createGcpLoggingPinoConfig(
    {
      serviceContext: { service: settings.K_SERVICE ?? 'metrics-pipeline', version: settings.K_REVISION },
      // Given (even empty), the library does not ask the metadata server for it.
      traceGoogleCloudProjectId: settings.GOOGLE_CLOUD_PROJECT ?? '',
      inihibitDiagnosticMessage: true,
    },
    { level: settings.LOG_LEVEL },
  );
  return destination === undefined ? pino(options) : pino(options, destination);
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
