import { realpath } from 'node:fs/promises';
import { basename, dirname, resolve, sep } from 'node:path';
import { PipelineError } from '../errors.js';
import type { ConfigSource } from './config-source.js';
import { localFilePath } from './local-file-config-source.js';
import { isCloudStoragePath, routeConfigSources } from './route-config-sources.js';

/**
 * Why a local path is refused on the HTTP service. One text whatever the
 * reason (missing, a directory, a device, outside): callers cannot use it to
 * learn which files exist.
 */
export const OUTSIDE_LOCAL_CONFIG_DIR = 'is not a file under the local config directory (METRICS_LOCAL_CONFIG_DIR); use gs://bucket/object';

/**
 * Why the HTTP service may not read the config `path`, or undefined when it
 * is a gs:// path or a local path under `directory`. Symlinks and `..` are
 * resolved first, so a link inside the directory that points out of it is outside.
 */
export async function localConfigPathProblem(path: string, directory: string): Promise<string | undefined> {
  if (isCloudStoragePath(path)) return undefined;
  return (await confinedPath(path, directory)) === undefined ? OUTSIDE_LOCAL_CONFIG_DIR : undefined;
}

/**
 * `source` with its local reads confined to `directory`: each read is checked
 * again (the path may have changed since the request was accepted) and reads
 * the resolved path it checked. gs:// paths pass through.
 */
export function confineLocalConfigs(source: ConfigSource, directory: string): ConfigSource {
  const local: ConfigSource = {
    async read(path) {
      const real = await confinedPath(path, directory);
      if (real === undefined) throw new PipelineError('GCS_READ_ERROR', `Config ${path} ${OUTSIDE_LOCAL_CONFIG_DIR}`);
      return source.read(real);
    },
  };
  return routeConfigSources({ gcs: source, local });
}

/** The real path `path` names when it lies under `directory`, else undefined. */
async function confinedPath(path: string, directory: string): Promise<string | undefined> {
  let file: string;
  try {
    file = localFilePath(path);
  } catch {
    return undefined;
  }
  const [real, root] = await Promise.all([realPathOf(resolve(file)), realPathOf(resolve(directory))]);
  return real.startsWith(root.endsWith(sep) ? root : `${root}${sep}`) ? real : undefined;
}

/**
 * The path with every symlink resolved, also when it does not exist (yet):
 * its deepest existing ancestor resolved, the rest appended. So a missing
 * file behind a link that leaves the directory is outside too.
 */
async function realPathOf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : resolve(await realPathOf(parent), basename(path));
  }
}
