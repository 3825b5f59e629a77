import { PipelineError } from '../errors.js';
import type { ConfigSource } from './config-source.js';

/** Sends gs:// paths to Cloud Storage and everything else to local files. */
export function routeConfigSources(sources: { gcs?: ConfigSource; local: ConfigSource }): ConfigSource {
  return {
    read(path) {
      if (!path.startsWith('gs://')) return sources.local.read(path);
      if (!sources.gcs) {
        return Promise.reject(new PipelineError('GCS_READ_ERROR', `Cannot read ${path}: Cloud Storage is not configured`));
      }
      return sources.gcs.read(path);
    },
  };
}
