import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { ConfigSource } from '../../services/config-source/config-source.js';
import { describeProblem, InvalidRunParametersError } from '../../services/errors.js';
import { runPipeline } from '../../services/pipeline/run-pipeline.js';
import { validateRunParameters } from '../../services/pipeline/run-parameters.js';
import type { RunResult } from '../../services/pipeline/run-outcome.js';
import type { Warehouse } from '../../services/warehouse/warehouse.js';
import { createConfigSource, createWarehouse, pipelineSettings } from '../adapters.js';
import { createLogger, prettyDestination } from '../logger.js';
import { loadSettings, localConfigPolicy, SettingsError } from '../settings.js';
import { CliUsageError, parseCliArguments } from './cli-arguments.js';
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

/** Runs the pipeline once from CLI flags and returns the exit code. */
export async function runCli(argv: string[], io: CliIo, adapters: CliAdapters = {}): Promise<number> {
  let request;
  let settings;
  try {
    settings = loadSettings(io.env);
    request = parseCliArguments(argv);
    if ('help' in request) {
      io.stdout.write(request.help);
      return EXIT.passed;
    }
    request = validateRunParameters(request.parameters, localConfigPolicy(settings));
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

  const progress = io.stderr.isTTY === true ? progressDisplay(io.stderr) : undefined;
  // On a terminal only warnings, readably, above the progress line; otherwise Cloud Logging JSON on stderr.
  const logger =
    adapters.logger ??
    (progress ? pino({ level: 'warn' }, prettyDestination({ destination: progress.logStream })) : createLogger(settings, io.stderr));
  const warehouse = adapters.warehouse ?? (await createWarehouse(settings, logger));
  let result: RunResult;
  try {
    result = await runPipeline(
      request,
      { warehouse, configSource: adapters.configSource ?? createConfigSource(settings), logger, settings: pipelineSettings(settings) },
      {
        runId: randomUUID(),
        ...(io.signal ? { signal: io.signal } : {}),
        ...(progress ? { onMetricsPlanned: progress.onMetricsPlanned, onMetricStarted: progress.onMetricStarted, onMetricDone: progress.onMetricDone } : {}),
      },
    );
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
