import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PipelineError } from '../errors.js';
import type { ConfigSource } from './config-source.js';

/** Reads configs from a local path or a file:// URL (embedded mode, operators' laptops). */
export function createLocalFileConfigSource(options: { maxBytes: number }): ConfigSource {
  return {
    async read(path) {
      const file = path.startsWith('file://') ? fileURLToPath(path) : path;
      try {
        const info = await stat(file);
        if (!info.isFile()) throw new PipelineError('GCS_READ_ERROR', `Config ${path} is not a file`);
        if (info.size > options.maxBytes) {
          throw new PipelineError('GCS_READ_ERROR', `Config ${path} is ${info.size} bytes, over the limit of ${options.maxBytes}`);
        }
        return await readFile(file, 'utf8');
      } catch (error) {
        if (error instanceof PipelineError) throw error;
        const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (error as Error).message;
        throw new PipelineError('GCS_READ_ERROR', `Cannot read config ${path}: ${reason}`, { cause: error });
      }
    },
  };
}
