import { PipelineError, type ErrorCategory } from '../../errors.js';
import { SqlSyntaxError } from '../../sql/sql-lexer.js';

/** Engine and syntax errors keep DuckDB's message under `category`; typed errors (timeouts, interrupts) pass as they are. */
export function asPipelineError(error: unknown, category: ErrorCategory): PipelineError {
  if (error instanceof PipelineError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PipelineError(category, error instanceof SqlSyntaxError ? `SQL syntax error: ${message}` : engineMessage(message), { cause: error });
}

/**
 * DuckDB's own words, as a recon reason keeps them: without the "Failed to
 * extract statements:" wrapper of its statement splitter, without the
 * "LINE 1: ... ^" caret context (which shows the translated SQL, not the
 * metric's), and without "Did you mean ...?" hints, which name other tables,
 * schemas and catalogs than the ones the SQL used.
 */
export function engineMessage(message: string): string {
  const withoutContext = message.replace(/^Failed to extract statements:\s*/, '').split(/\n\s*LINE \d+:/)[0] ?? '';
  return withoutContext
    .split('\n')
    .filter((line) => !/^\s*Did you mean\b/.test(line))
    .join('\n')
    .trim();
}
