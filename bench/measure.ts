import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** The middle value (the upper one of an even count): robust against one slow round on a shared machine. */
export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}

/** Runs `measure` `rounds` times, one after another, and returns every figure. */
export async function repeat(rounds: number, measure: () => Promise<number>): Promise<number[]> {
  const figures: number[] = [];
  for (let round = 0; round < rounds; round++) figures.push(await measure());
  return figures;
}

/** Milliseconds `work` takes on the monotonic clock. */
export async function wallMs(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** "123 ms   (runs: 120, 123, 131)" */
export function figure(values: number[], unit: string, digits = 0): string {
  return `${median(values).toFixed(digits)} ${unit}   (runs: ${values.map((value) => value.toFixed(digits)).join(', ')})`;
}

/** A TCP port free right now on the loopback interface. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface NodeProcessRun {
  code: number | null;
  /** The last 16 KB of stderr. */
  stderrTail: string;
}

/**
 * Runs `node <args>` with only `env` (and PATH) in its environment, stdout
 * discarded, and resolves when it exits.
 */
export function runNode(args: string[], env: Record<string, string>): Promise<NodeProcessRun> {
  const child = spawn(process.execPath, args, { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  child.stderr.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-16_384)));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderrTail: tail }));
  });
}
