import { BigQuery } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';

export interface BigQueryClientOptions {
  /** GOOGLE_CLOUD_PROJECT: the project jobs run (and are billed) in; unset means: from the credentials. */
  projectId?: string;
  /** METRICS_BIGQUERY_LOCATION: where jobs run. */
  location: string;
  /** BIGQUERY_EMULATOR_HOST, a URL such as http://127.0.0.1:9050: talk to it instead of Google, without credentials. */
  emulatorHost?: string;
}

/**
 * The BigQuery client as the warehouse adapter expects it: the client's own
 * retries off (the adapter retries, so attempts are counted in one place), and
 * against an emulator no credentials at all, so nothing probes the GCE
 * metadata server or reads key files.
 */
export function createBigQueryClient(options: BigQueryClientOptions): BigQuery {
  const common = { location: options.location, autoRetry: false, maxRetries: 0 };
  if (options.emulatorHost === undefined) {
    return new BigQuery({ ...common, ...(options.projectId ? { projectId: options.projectId } : {}) });
  }
  if (options.projectId === undefined) {
    // Without it the client would ask the auth library, which probes the metadata server.
    throw new Error('GOOGLE_CLOUD_PROJECT must be set when BIGQUERY_EMULATOR_HOST is');
  }
  return new BigQuery({
    ...common,
    projectId: options.projectId,
    apiEndpoint: options.emulatorHost,
    authClient: new PassThroughClient(),
  });
}
