/**
 * Engine-wide settings no metric may change (docs/contract.md#warehouses).
 *
 * Metric SQL is a SELECT, yet a SELECT can call table functions that change
 * the whole engine (enable_logging, enable_profiling, checkpoint): the
 * function allow-list (metric-sql-policy.ts) keeps them out. These settings
 * are the engine's own second line: files confined to the warehouse
 * directory, no extension installed or loaded behind the metric's back, and
 * the configuration locked, so no SET can loosen any of it later. The lock
 * does not stop those table functions (DuckDB lets them bypass it), which is
 * why the allow-list, not the lock, is what keeps them out.
 */
import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { quotedString, type DuckDBConnection } from '@duckdb/node-api';

/**
 * Creates the warehouse directory if missing and confines file access to it:
 * metric SQL could otherwise read any file the process can (read_csv('/etc/...'))
 * and echo it in an error message. Resolves with the directory's absolute path.
 */
export async function confineEngine(connection: DuckDBConnection, directory: string): Promise<string> {
  const absolute = path.resolve(directory);
  await mkdir(absolute, { recursive: true });
  await connection.run(`SET allowed_directories = [${quotedString(`${await realpath(absolute)}${path.sep}`)}]`);
  await connection.run('SET enable_external_access = false');
  await connection.run('SET autoinstall_known_extensions = false');
  await connection.run('SET autoload_known_extensions = false');
  await connection.run('SET allow_community_extensions = false');
  return absolute;
}

/** Locks the configuration: from here on every SET fails, for the life of the engine. */
export async function lockEngine(connection: DuckDBConnection): Promise<void> {
  await connection.run('SET lock_configuration = true');
}
