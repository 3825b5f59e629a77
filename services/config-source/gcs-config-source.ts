import { Storage, type File } from '@google-cloud/storage';
import { PipelineError } from '../errors.js';
import type { ConfigSource } from './config-source.js';

export interface StorageClientOptions {
  /** GOOGLE_CLOUD_PROJECT; reads need none, but without one the client may ask the credentials for it. */
  projectId?: string;
  /** STORAGE_EMULATOR_HOST, a URL such as http://127.0.0.1:4443: talk to it without credentials. */
  emulatorHost?: string;
  /** The client's own retry of transient errors (429, 5xx, dropped connections); reads are idempotent. */
  retry: { maxAttempts: number; maxDelayMs: number };
}

/**
 * A Cloud Storage client whose retries follow the service's retry settings.
 * With an emulator host the client treats it as a custom endpoint and sends
 * no credentials, so nothing probes the metadata server.
 */
export function createStorageClient(options: StorageClientOptions): Storage {
  return new Storage({
    projectId: options.projectId ?? (options.emulatorHost ? 'emulator' : undefined),
    ...(options.emulatorHost ? { apiEndpoint: options.emulatorHost } : {}),
    retryOptions: {
      // maxRetries 0 would fall back to the client's default of 3: switch retries off instead.
      autoRetry: options.retry.maxAttempts > 1,
      maxRetries: Math.max(1, options.retry.maxAttempts - 1),
      maxRetryDelay: options.retry.maxDelayMs / 1000,
    },
  });
}

const GCS_PATH = /^gs:\/\/([^/]+)\/(.+)$/;

/**
 * Reads metric configs from `gs://bucket/object`. The object's size is checked
 * before its bytes are fetched, and the read pins the generation it checked,
 * so a file replaced in between cannot slip past the limit; the byte count
 * while reading guards the limit again.
 */
export function createGcsConfigSource(options: { storage: Storage; maxBytes: number }): ConfigSource {
  return {
    async read(path) {
      const match = GCS_PATH.exec(path);
      if (!match) throw new PipelineError('GCS_READ_ERROR', `Config path ${path} is not gs://bucket/object`);
      const [, bucket, object] = match as unknown as [string, string, string];
      try {
        const [metadata] = await options.storage.bucket(bucket).file(object).getMetadata();
        tooLarge(path, Number(metadata.size), options.maxBytes);
        const file = options.storage.bucket(bucket).file(object, metadata.generation ? { generation: metadata.generation } : {});
        return await readLimited(file, path, options.maxBytes);
      } catch (error) {
        throw readError(path, error);
      }
    },
  };
}

function tooLarge(path: string, size: number, maxBytes: number): void {
  if (size > maxBytes) {
    throw new PipelineError('GCS_READ_ERROR', `Config ${path} is ${size} bytes, over the limit of ${maxBytes} bytes (METRICS_CONFIG_MAX_BYTES)`);
  }
}

async function readLimited(file: File, path: string, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = file.createReadStream();
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      stream.destroy();
      tooLarge(path, size, maxBytes);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function readError(path: string, error: unknown): PipelineError {
  if (error instanceof PipelineError) return error;
  const status = (error as { code?: unknown }).code;
  const reason =
    status === 404 ? 'the object or bucket does not exist' : status === 403 ? 'permission denied' : (error as Error).message;
  return new PipelineError('GCS_READ_ERROR', `Cannot read config ${path}: ${reason}`, { cause: error });
}
