import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { ConfigSource } from '../../services/config-source/config-source.js';
import { describeProblem, InvalidRunParametersError } from '../../services/errors.js';
import { dryRunPipeline } from '../../services/pipeline/dry-run.js';
import type { DryRunReport } from '../../services/pipeline/dry-run-report.js';
import { runPipeline } from '../../services/pipeline/run-pipeline.js';
import { validateRunParameters, type RunParameters } from '../../services/pipeline/run-parameters.js';
import type { RunResult } from '../../services/pipeline/run-outcome.js';
import type { Warehouse } from '../../services/warehouse/warehouse.js';
import { createConfigSource, createWarehouse, pipelineSettings } from '../adapters.js';
import { createLogger } from '../logger.js';
import { loadSettings, localConfigPolicy, SettingsError, type Settings } from '../settings.js';
import { CliUsageError, parseCliArguments } from './cli-arguments.js';
import { dryRunTable } from './dry-run-table.js';
import { progressDisplay } from './progress-display.js';
import { summaryTable } from './summary-table.js';

/** Exit codes of docs/contract.md#exit-codes. */
export const EXIT = { passed: 0, someFailed: 1, runFailed: 2, badArguments: 64 } as const;

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

/** Validated settings and run parameters, and whether only a dry run is asked for. */
interface CliRun {
  settings: Settings;
  parameters: RunParameters;
  dryRun: boolean;
}

/** Runs the pipeline once from CLI flags and returns the exit code. */
export async function runCli(argv: string[], io: CliIo, adapters: CliAdapters = {}): Promise<number> {
  const parsed = parseRequest(argv, io);
  if (typeof parsed === 'number') return parsed;
  const { settings, parameters, dryRun } = parsed;

  const terminal = io.stderr.isTTY === true;
  const progress = terminal && !dryRun ? progressDisplay(io.stderr) : undefined;
  // On a terminal only warnings, readably, above the progress line; otherwise Cloud Logging JSON on stderr.
  const logger =
    adapters.logger ??
    (terminal ? pino({ level: 'warn' }, pretty({ destination: progress?.logStream ?? io.stderr })) : createLogger(settings, io.stderr));
  const warehouse = adapters.warehouse ?? (await createWarehouse(settings, logger));
  const dependencies = { warehouse, configSource: adapters.configSource ?? createConfigSource(settings), logger, settings: pipelineSettings(settings) };
  const control = { runId: randomUUID(), ...(io.signal ? { signal: io.signal } : {}) };
  if (dryRun) {
    try {
      return reportDryRun(await dryRunPipeline(parameters, dependencies, control), io);
    } finally {
      if (!adapters.warehouse) await warehouse.close();
    }
  }
  let result: RunResult;
  try {
    result = await runPipeline(parameters, dependencies, {
      ...control,
      ...(progress ? { onMetricsPlanned: progress.onMetricsPlanned, onMetricStarted: progress.onMetricStarted, onMetricDone: progress.onMetricDone } : {}),
    });
  } finally {
    progress?.clear();
    if (!adapters.warehouse) await warehouse.close();
  }
  io.stdout.write(summaryTable(result));
  if (result.run_failure) {
    io.stderr.write(`run failed: ${result.run_failure.error_category}: ${result.run_failure.reason}\n`);
    return EXIT.runFailed;
  }
  return result.status === 'succeeded' ? EXIT.passed : EXIT.someFailed;
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

/** The settings and flags, validated; or the exit code once help or the problems are printed. */
function parseRequest(argv: string[], io: CliIo): CliRun | number {
  try {
    const settings = loadSettings(io.env);
    const request = parseCliArguments(argv);
    if ('help' in request) {
      io.stdout.write(request.help);
      return EXIT.passed;
    }
    return { settings, parameters: validateRunParameters(request.parameters, localConfigPolicy(settings)), dryRun: request.dryRun };
  } catch (error) {
    if (error instanceof InvalidRunParametersError) {
      for (const problem of error.problems) io.stderr.write(`error: --${describeProblem(problem)}\n`);
      return EXIT.badArguments;
    }
    if (error instanceof CliUsageError || error instanceof SettingsError) {
      io.stderr.write(`error: ${error.message}\n`);
      return EXIT.badArguments;
    }
    throw error;
  }
}
