/**
 * Where metric definitions come from: `gs://bucket/object` (Cloud Storage) or
 * a local path / `file://` URL where the service allows local configs.
 * Implementations throw PipelineError('GCS_READ_ERROR', ...) naming the path
 * when the file cannot be read (the category keeps its historical name for
 * local files too).
 */
export interface ConfigSource {
  read(path: string): Promise<string>;
}
