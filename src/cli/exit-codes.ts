import type { RunResult } from '../../services/pipeline/run-outcome.js';

/** Exit codes of docs/contract.md#exit-codes. */
export const EXIT = { passed: 0, someFailed: 1, runFailed: 2, badArguments: 64 } as const;

/** 2 when the run failed as a whole, 1 when some metric Failed, 0 when all Passed. */
export function exitCodeOf(result: RunResult): number {
  if (result.run_failure) return EXIT.runFailed;
  return result.status === 'succeeded' ? EXIT.passed : EXIT.someFailed;
}
