import { PipelineError, type ErrorCategory } from '../../errors.js';
import { SqlSyntaxError } from '../../sql/sql-lexer.js';

/** Engine and syntax errors keep DuckDB's message under `category`; typed errors (timeouts, interrupts) pass as they are. */
export function asPipelineError(error: unknown, category: ErrorCategory): PipelineError {
  if (error instanceof PipelineError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PipelineError(category, error instanceof SqlSyntaxError ? `SQL syntax error: ${message}` : message, { cause: error });
}
