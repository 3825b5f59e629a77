import { randomUUID } from 'node:crypto';
import { describeProblem, InvalidRunParametersError, type FieldProblem } from '../../services/errors.js';
import { recordFailedRuns } from '../../services/pipeline/failed-runs.js';
import type { PipelineDependencies, RunControl } from '../../services/pipeline/pipeline-dependencies.js';
import type { RunResult } from '../../services/pipeline/run-outcome.js';
import type { BackfillParameters, RunParameters } from '../../services/pipeline/run-parameters.js';
import { runPipeline } from '../../services/pipeline/run-pipeline.js';
import { ReconRuns } from '../../services/runs/recon-runs.js';
import { NothingToRetryError, RunNotFoundError } from '../../services/runs/run-errors.js';
import { RunSelection, type DatePlan } from '../../services/runs/run-selection.js';
import { EXIT, exitCodeOf } from './exit-codes.js';
import { runSummaryLine } from './summary-table.js';

/** The interrupt signal and progress callbacks every run of one CLI invocation shares. */
export type RunHooks = Omit<RunControl, 'runId'>;

export interface CliOutput {
  /** Writes one line on stdout, clear of any progress line. */
  line(text: string): void;
  stderr: NodeJS.WritableStream;
}

const SKIPPED = 'skipped: every selected metric already has a Passed recon row (only_missing)';

/** One line per bad flag; the exit code of bad arguments. */
export function writeProblems(stderr: NodeJS.WritableStream, problems: FieldProblem[]): number {
  for (const problem of problems) stderr.write(`error: --${describeProblem(problem)}\n`);
  return EXIT.badArguments;
}

/**
 * The one run the flags ask for, with metric_ids, retry_failed_of and
 * only_missing resolved: the parameters to run; the result of a retry of a
 * run no recon table knows (one `__run__` row, exit 2); or an exit code when
 * there is nothing to run (one line, nothing written) or a flag is wrong.
 */
export async function planSingleRun(request: RunParameters, deps: PipelineDependencies, output: CliOutput): Promise<RunParameters | RunResult | number> {
  try {
    const plans = await plansOf(request, request.run_date, deps, output);
    if (typeof plans === 'number') return plans;
    if (plans[0]?.parameters) return plans[0].parameters;
    output.line(`${request.run_date}: ${SKIPPED}; nothing written`);
    return EXIT.passed;
  } catch (error) {
    if (error instanceof NothingToRetryError) {
      output.line(`${error.message}; nothing written`);
      return EXIT.passed;
    }
    if (!(error instanceof RunNotFoundError)) throw error;
    const run = { runId: randomUUID(), parameters: request };
    const reason = `retry_failed_of: no run '${error.runId}' is recorded in ${error.reconTable}`;
    return (await recordFailedRuns([run], { error_category: 'PIPELINE_EXECUTION_ERROR', reason }, deps))(run);
  }
}

/**
 * The one run a dry run checks, planned as planSingleRun plans it but never
 * writing anything: nothing to run is one line (exit 0), a retry of a run no
 * recon table knows one line on stderr (exit 2).
 */
export async function planDryRun(request: RunParameters, deps: PipelineDependencies, output: CliOutput): Promise<RunParameters | number> {
  try {
    const plans = await plansOf(request, request.run_date, deps, output);
    if (typeof plans === 'number') return plans;
    // Nothing left to run: a plan of no metrics, so the check reports none.
    return plans[0]?.parameters ?? { ...request, metric_ids: [] };
  } catch (error) {
    if (error instanceof NothingToRetryError) {
      output.line(`${error.message}; nothing to check`);
      return EXIT.passed;
    }
    if (!(error instanceof RunNotFoundError)) throw error;
    output.stderr.write(`run would fail: PIPELINE_EXECUTION_ERROR: retry_failed_of: no run '${error.runId}' is recorded in ${error.reconTable}\n`);
    return EXIT.runFailed;
  }
}

/**
 * A backfill: one run per date, oldest first, one at a time, one line each
 * as it ends. Returns the worst exit code of its runs (2 > 1 > 0). Dates an
 * interrupt left before they started get no rows and count as 1, so the
 * operator resumes with --only_missing.
 */
export async function runBackfill(request: BackfillParameters, deps: PipelineDependencies, hooks: RunHooks, output: CliOutput): Promise<number> {
  const { run_date_to: lastDate, ...firstRun } = request;
  const plans = await plansOf(firstRun, lastDate, deps, output);
  if (typeof plans === 'number') return plans;
  let worst: number = EXIT.passed;
  let notStarted = 0;
  for (const { run_date: date, parameters } of plans) {
    if (parameters === null) output.line(`${date}: ${SKIPPED}`);
    else if (hooks.signal?.aborted) {
      output.line(`${date}: not started (interrupted); nothing written`);
      notStarted += 1;
    } else {
      const result = await runPipeline(parameters, deps, { runId: randomUUID(), ...hooks });
      const failure = result.run_failure ? ` (${result.run_failure.error_category}: ${result.run_failure.reason})` : '';
      output.line(`${date}: ${runSummaryLine(result)}${failure}`);
      worst = Math.max(worst, exitCodeOf(result));
    }
  }
  if (notStarted === 0) return worst;
  output.stderr.write(`${notStarted} date(s) not started; run the backfill again with --only_missing to resume\n`);
  return Math.max(worst, EXIT.someFailed);
}

/** The plan of each date, or the exit code of a flag found wrong while planning (a metric id outside the dependencies). */
async function plansOf(request: RunParameters, lastDate: string, deps: PipelineDependencies, output: CliOutput): Promise<DatePlan[] | number> {
  try {
    return await new RunSelection(deps.configSource, new ReconRuns(deps.warehouse)).plan(request, lastDate);
  } catch (error) {
    if (error instanceof InvalidRunParametersError) return writeProblems(output.stderr, error.problems);
    throw error;
  }
}
