import type { ConfigSource } from './config-source.js';

/** Sends gs:// paths to Cloud Storage and everything else to local files. */
export function routeConfigSources(sources: { gcs: ConfigSource; local: ConfigSource }): ConfigSource {
  return {
    read: (path) => (isCloudStoragePath(path) ? sources.gcs.read(path) : sources.local.read(path)),
  };
}

export function isCloudStoragePath(path: string): boolean {
  return path.startsWith('gs://');
}
