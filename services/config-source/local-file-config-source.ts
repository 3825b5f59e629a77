import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PipelineError } from '../errors.js';
import type { ConfigSource } from './config-source.js';

/** Reads are this size at most, so a file that grows or lies about its size never costs more than the limit plus one chunk. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Reads configs from a local path or a file:// URL (embedded mode, operators'
 * laptops). Only regular files, and at most METRICS_CONFIG_MAX_BYTES + 1
 * bytes whatever `stat` says: /proc files report size 0 and never end.
 */
export function createLocalFileConfigSource(options: { maxBytes: number }): ConfigSource {
  return {
    async read(path) {
      const file = localFilePath(path);
      let handle: FileHandle | undefined;
      try {
        // O_NONBLOCK: opening a FIFO would otherwise wait for a writer, forever.
        handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
        if (!(await handle.stat()).isFile()) throw new PipelineError('GCS_READ_ERROR', `Config ${path} is not a regular file`);
        const bytes = await readAtMost(handle, options.maxBytes + 1);
        if (bytes.length > options.maxBytes) {
          throw new PipelineError('GCS_READ_ERROR', `Config ${path} is over the limit of ${options.maxBytes} bytes (METRICS_CONFIG_MAX_BYTES)`);
        }
        return bytes.toString('utf8');
      } catch (error) {
        throw readError(path, error);
      } finally {
        await handle?.close();
      }
    },
  };
}

/** The file a local config path names: the path itself, or the path of a file:// URL. */
export function localFilePath(path: string): string {
  if (!path.startsWith('file://')) return path;
  try {
    return fileURLToPath(path);
  } catch (error) {
    throw new PipelineError('GCS_READ_ERROR', `Config ${path} is not a valid local file:// URL`, { cause: error });
  }
}

async function readAtMost(handle: FileHandle, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < limit) {
    const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, limit - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
  }
  return Buffer.concat(chunks, total);
}

const ERRNO_REASONS: Record<string, string> = {
  ENOENT: 'does not exist',
  ENOTDIR: 'does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links',
};

/** A read failure named by its path and a short reason; never the file's content. */
function readError(path: string, error: unknown): PipelineError {
  if (error instanceof PipelineError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reason = ERRNO_REASONS[code] ?? (code || 'unreadable');
  return new PipelineError('GCS_READ_ERROR', `Cannot read config ${path}: ${reason}`, { cause: error });
}
