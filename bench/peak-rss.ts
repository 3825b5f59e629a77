import { fileURLToPath } from 'node:url';
import { runNode } from './measure.js';

const PRELOAD = fileURLToPath(new URL('./peak-rss-preload.js', import.meta.url));
const CLI = fileURLToPath(new URL('../bundle/cli.js', import.meta.url));

export interface CliRunFigures {
  exitCode: number | null;
  peakRssMb: number;
  /** The CLI's "run failed: ..." line, when the run failed as a whole. */
  runFailure?: string;
}

/** One run of the real CLI (dist/bundle/cli.js) with `flags` and `env`, and its peak RSS. */
export async function measureCliRun(flags: string[], env: Record<string, string>): Promise<CliRunFigures> {
  const run = await runNode(['--import', PRELOAD, CLI, ...flags], env);
  const peak = /bench:peak_rss_kb=(\d+)/.exec(run.stderrTail);
  if (!peak) throw new Error(`the CLI exited ${run.code} without reporting its peak RSS: ${run.stderrTail.slice(-2000)}`);
  const failure = /^run failed: (.*)$/m.exec(run.stderrTail)?.[1];
  return { exitCode: run.code, peakRssMb: Number(peak[1]) / 1024, ...(failure ? { runFailure: failure.slice(0, 160) } : {}) };
}

export interface BenchRunParameters {
  gcs_path: string;
  run_date: string;
  partition_info_table: string;
  recon_table: string;
}

/** The CLI flags of a run of the bench's config, as an operator types them. */
export function cliFlags(parameters: BenchRunParameters): string[] {
  return [
    ...['--gcs_path', parameters.gcs_path, '--run_date', parameters.run_date, '--dependencies', 'bench'],
    ...['--partition_info_table', parameters.partition_info_table, '--env', 'DEV', '--recon_table', parameters.recon_table],
  ];
}
