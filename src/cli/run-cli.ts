import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { ConfigSource } from '../../services/config-source/config-source.js';
import { InvalidRunParametersError } from '../../services/errors.js';
import { dryRunPipeline } from '../../services/pipeline/dry-run.js';
import type { DryRunReport } from '../../services/pipeline/dry-run-report.js';
import type { PipelineDependencies } from '../../services/pipeline/pipeline-dependencies.js';
import { runPipeline } from '../../services/pipeline/run-pipeline.js';
import { validateBackfillParameters, validateRunParameters, type BackfillParameters, type RunParameters } from '../../services/pipeline/run-parameters.js';
import type { RunResult } from '../../services/pipeline/run-outcome.js';
import type { Warehouse } from '../../services/warehouse/warehouse.js';
import { createConfigSource, createWarehouse, pipelineSettings } from '../adapters.js';
import { createLogger, prettyDestination } from '../logger.js';
import { reportFatal } from '../process-failures.js';
import { loadSettings, localConfigPolicy, SettingsError, type Settings } from '../settings.js';
import { CliUsageError, parseCliArguments } from './cli-arguments.js';
import { dryRunTable } from './dry-run-table.js';
import { EXIT, exitCodeOf } from './exit-codes.js';
import { planDryRun, planSingleRun, runBackfill, writeProblems, type CliOutput, type RunHooks } from './planned-runs.js';
import { progressDisplay, type ProgressDisplay } from './progress-display.js';
import { summaryTable } from './summary-table.js';

export { EXIT } from './exit-codes.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Aborted to interrupt the run: metrics not finished by then are recorded as interrupted. */
  signal?: AbortSignal;
}

/** Adapters the caller already holds (the demo, tests); otherwise made from the settings and closed after the run. */
export interface CliAdapters {
  warehouse?: Warehouse;
  configSource?: ConfigSource;
  logger?: Logger;
}

/** Validated settings and flags: one run's or a backfill's, and whether only a dry run is asked for. */
interface CliRequest {
  settings: Settings;
  request: RunParameters | BackfillParameters;
  dryRun: boolean;
}

/** Runs the pipeline once, or once per date of a backfill, or dry-runs it, from CLI flags and returns the exit code. */
export async function runCli(argv: string[], io: CliIo, adapters: CliAdapters = {}): Promise<number> {
  const checked = checkedRequest(argv, io);
  if (typeof checked === 'number') return checked;
  const { request, settings, dryRun } = checked;

  const terminal = io.stderr.isTTY === true;
  const progress = terminal && !dryRun ? progressDisplay(io.stderr) : undefined;
  // On a terminal only warnings, readably, above the progress line; otherwise Cloud Logging JSON on stderr.
  const logger =
    adapters.logger ??
    (terminal ? pino({ level: 'warn' }, prettyDestination({ destination: progress?.logStream ?? io.stderr })) : createLogger(settings, io.stderr));
  const warehouse = adapters.warehouse ?? (await createWarehouse(settings, logger));
  const deps = { warehouse, configSource: adapters.configSource ?? createConfigSource(settings), logger, settings: pipelineSettings(settings) };
  const hooks: RunHooks = {
    ...(io.signal ? { signal: io.signal } : {}),
    ...(progress ? { onMetricsPlanned: progress.onMetricsPlanned, onMetricStarted: progress.onMetricStarted, onMetricDone: progress.onMetricDone } : {}),
  };
  const output = cliOutput(io, progress);
  let result: RunResult;
  try {
    if ('run_date_to' in request) return await runBackfill(request, deps, hooks, output);
    if (dryRun) return await checkDryRun(request, deps, hooks, output, io);
    const planned = await planSingleRun(request, deps, output);
    if (typeof planned === 'number') return planned;
    result = 'run_id' in planned ? planned : await runPipeline(planned, deps, { runId: randomUUID(), ...hooks });
  } finally {
    progress?.clear();
    if (!adapters.warehouse) await warehouse.close();
  }
  io.stdout.write(summaryTable(result));
  if (result.run_failure) {
    io.stderr.write(`run failed: ${result.run_failure.error_category}: ${result.run_failure.reason}\n`);
  }
  return exitCodeOf(result);
}

/** --dry_run: the run planned as it would be, checked, its table on stdout; nothing written anywhere. */
async function checkDryRun(request: RunParameters, deps: PipelineDependencies, hooks: RunHooks, output: CliOutput, io: CliIo): Promise<number> {
  const planned = await planDryRun(request, deps, output);
  if (typeof planned === 'number') return planned;
  return reportDryRun(await dryRunPipeline(planned, deps, { runId: randomUUID(), ...(hooks.signal ? { signal: hooks.signal } : {}) }), io);
}

/** --dry_run's table on stdout; exit 0 when every metric would pass, 1 when some would fail, 2 when the run would fail as a whole. */
function reportDryRun(report: DryRunReport, io: CliIo): number {
  io.stdout.write(dryRunTable(report));
  if ('run_failure' in report) {
    io.stderr.write(`run would fail: ${report.run_failure.error_category}: ${report.run_failure.reason}\n`);
    return EXIT.runFailed;
  }
  return report.metrics.every((metric) => metric.ok) ? EXIT.passed : EXIT.someFailed;
}

/** The settings and the validated flags (a backfill's when --run_date_to is given), or the exit code of help or bad arguments. */
function checkedRequest(argv: string[], io: CliIo): CliRequest | number {
  try {
    const settings = loadSettings(io.env);
    const parsed = parseCliArguments(argv);
    if ('help' in parsed) {
      io.stdout.write(parsed.help);
      return EXIT.passed;
    }
    const { parameters: raw, dryRun } = parsed;
    if (dryRun && raw.run_date_to !== undefined) throw new CliUsageError('--dry_run checks one run_date; it cannot be combined with --run_date_to');
    const policy = localConfigPolicy(settings);
    const request =
      raw.run_date_to === undefined
        ? validateRunParameters(raw, policy)
        : validateBackfillParameters(raw, policy, settings.METRICS_BACKFILL_MAX_DATES);
    return { request, settings, dryRun };
  } catch (error) {
    if (error instanceof InvalidRunParametersError) return writeProblems(io.stderr, error.problems);
    if (error instanceof SettingsError) return reportFatal(error, io.stderr, io.env);
    if (error instanceof CliUsageError) {
      io.stderr.write(`error: ${error.message}\n`);
      return EXIT.badArguments;
    }
    throw error;
  }
}

/** Summary lines on stdout, each clear of the progress line. */
function cliOutput(io: CliIo, progress: ProgressDisplay | undefined): CliOutput {
  return {
    line: (text) => {
      progress?.clear();
      io.stdout.write(`${text}\n`);
    },
    stderr: io.stderr,
  };
}
