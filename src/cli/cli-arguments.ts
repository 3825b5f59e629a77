import { Command, CommanderError } from 'commander';
import type { RawBackfillParameters } from '../../services/pipeline/run-parameters.js';

/** Thrown for argv that commander rejects (unknown flag, missing value). */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

export type CliRequest = { help: string } | { parameters: RawBackfillParameters; dryRun: boolean };

/**
 * The six flags of the original job's main.py, with the same names, and the
 * optional ones that narrow a run or make it a backfill. Flags are optional to
 * commander so that validateRunParameters reports every missing or bad one at
 * once, one line each.
 */
export function parseCliArguments(argv: string[]): CliRequest {
  let help: string | undefined;
  const program = new Command('pipeline')
    .description('Run the metrics pipeline once: compute the selected metrics, write target and recon rows.')
    .option('--gcs_path <path>', 'metric definitions: gs://bucket/object, or a local path where allowed')
    .option('--run_date <date>', 'processing date, YYYY-MM-DD')
    .option('--dependencies <list>', 'comma-separated dependency groups to run')
    .option('--partition_info_table <table>', 'project.dataset.table holding latest partition dates')
    .option('--env <env>', 'DEV, BLD, INT, PRE or PRD')
    .option('--recon_table <table>', 'project.dataset.table receiving the recon (audit) rows')
    .option('--metric_ids <list>', 'comma-separated metric ids: run only these metrics of the dependencies')
    .option('--retry_failed_of <run_id>', 'run only the metrics that Failed in that earlier run (same run_date)')
    .option('--run_date_to <date>', 'backfill: one run per date from --run_date to this date, YYYY-MM-DD, oldest first')
    .option('--only_missing', 'leave out the metrics (and dates) that already have a Passed recon row')
    .option('--dry_run', 'check everything a run does up to the warehouse write and write nothing; print each metric and the bytes it would read')
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        help = text;
      },
      writeErr: () => undefined,
    });
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError && error.code === 'commander.helpDisplayed') return { help: help ?? '' };
    throw new CliUsageError(error instanceof Error ? error.message.replace(/^error: /, '') : String(error));
  }
  const { dry_run: dryRun, ...parameters } = program.opts<RawBackfillParameters & { dry_run?: true }>();
  return { parameters, dryRun: dryRun === true };
}
