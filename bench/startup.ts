import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort, runNode, wallMs } from './measure.js';

const GIVE_UP_MS = 30_000;

/** The entry points as they run: bundled (`npm start`, the image), or tsc's output they are bundled from. */
export type EntryBuild = 'bundle' | 'src';
const entry = (build: EntryBuild, name: string) => fileURLToPath(new URL(`../${build}/${name}.js`, import.meta.url));

/**
 * Milliseconds from spawning a server entry (`node dist/bundle/server.js`,
 * embedded mode, default settings otherwise) to its first `GET /readyz` 200:
 * what a Cloud Run cold start waits for before the instance takes traffic.
 */
export async function startToReadyMs(build: EntryBuild, warehouseDir: string): Promise<number> {
  const port = await freePort();
  const env = { PATH: process.env['PATH'] ?? '', PORT: String(port), HOST: '127.0.0.1', METRICS_DUCKDB_DIR: warehouseDir };
  const started = process.hrtime.bigint();
  const server = spawn(process.execPath, [entry(build, 'server')], { env, stdio: 'ignore' });
  try {
    while (!(await isReady(`http://127.0.0.1:${port}/readyz`))) {
      if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode} before it was ready`);
      if (Number(process.hrtime.bigint() - started) / 1e6 > GIVE_UP_MS) throw new Error('the server was not ready within 30 s');
      await delay(2);
    }
    return Number(process.hrtime.bigint() - started) / 1e6;
  } finally {
    server.kill('SIGTERM');
    if (server.exitCode === null) await once(server, 'exit');
  }
}

async function isReady(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
}

/** Milliseconds of `node dist/bundle/cli.js --help` (or dist/src/cli.js), from spawn to exit. */
export async function helpMs(build: EntryBuild): Promise<number> {
  return wallMs(async () => {
    const run = await runNode([entry(build, 'cli'), '--help'], {});
    if (run.code !== 0) throw new Error(`--help exited ${run.code}: ${run.stderrTail}`);
  });
}
