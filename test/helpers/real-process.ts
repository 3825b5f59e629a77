import { fileURLToPath } from 'node:url';
import { PARTITION_INFO, RECON, RUN_DATE } from './fixtures.js';

/** The CLI's entry point, run from its TypeScript source as the tests run. */
export const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const TS_LOADER = fileURLToPath(new URL('../../node_modules/@tapjs/typescript/dist/esm/import.mjs', import.meta.url));

/** Node's arguments to run a TypeScript entry point in its own process; `preload` modules load first, as `--import`s. */
export function nodeArguments(entry: string, args: string[] = [], preload: string[] = []): string[] {
  return [`--import=${TS_LOADER}`, ...preload.map((module) => `--import=${module}`), entry, ...args];
}

/** The CLI's six flags for a config, on the fixture tables. */
export function cliFlags(config: string): string[] {
  return ['--gcs_path', config, '--run_date', RUN_DATE, '--dependencies', 'daily', '--partition_info_table', PARTITION_INFO, '--env', 'dev', '--recon_table', RECON];
}
