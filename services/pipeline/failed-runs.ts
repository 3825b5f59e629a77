import { oneLineReason } from '../errors.js';
import type { PipelineDependencies } from './pipeline-dependencies.js';
import { reconRow, runRowEntry } from './recon-rows.js';
import type { RunFailure, RunResult } from './run-outcome.js';
import type { RunParameters } from './run-parameters.js';
import { writeReconRows } from './table-writes.js';

/** A run that ends before it starts: no config read, no metric executed. */
export interface UnstartedRun {
  runId: string;
  parameters: RunParameters;
}

/**
 * Records runs that fail as a whole without starting (a backfill's dates when
 * the service shuts down, a retry of a run no recon table knows): one `__run__`
 * row each, appended in one batch per recon table, so hundreds of dates cost
 * one write and fit a shutdown window. Resolves to the result of each of the
 * runs. Never throws: a failed write is added to each run's reason, as for any
 * run that fails as a whole.
 */
export async function recordFailedRuns(
  runs: UnstartedRun[],
  failure: RunFailure,
  deps: PipelineDependencies,
): Promise<(run: UnstartedRun) => RunResult> {
  const at = (deps.now ?? (() => new Date()))();
  const writeFailures = new Map<string, string>();
  await Promise.all(
    [...byReconTable(runs)].map(async ([table, group]) => {
      const rows = group.map(({ runId, parameters }) => reconRow(runRowEntry(parameters, failure), parameters, runId, at));
      try {
        await writeReconRows(deps.warehouse, table, rows);
      } catch (error) {
        deps.logger.error({ err: error, runs: group.map((run) => run.runId) }, 'recon write failed');
        writeFailures.set(table, `Recon write to ${table} failed: ${oneLineReason(error)}`);
      }
    }),
  );
  return ({ runId, parameters }) => {
    const writeFailure = writeFailures.get(parameters.recon_table);
    return {
      run_id: runId,
      parameters,
      status: 'failed',
      metrics: [],
      run_failure: writeFailure ? { ...failure, reason: oneLineReason(`${failure.reason}; ${writeFailure}`) } : failure,
      started_at: at.toISOString(),
      finished_at: at.toISOString(),
    };
  };
}

function byReconTable(runs: UnstartedRun[]): Map<string, UnstartedRun[]> {
  const groups = new Map<string, UnstartedRun[]>();
  for (const run of runs) groups.set(run.parameters.recon_table, [...(groups.get(run.parameters.recon_table) ?? []), run]);
  return groups;
}
