import { isKeyword, significant, tokenize } from '../../../services/sql/sql-lexer.js';

/** A BigQuery request's SQL, cut into statements at top-level semicolons. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let depth = 0;
  for (const token of tokenize(sql)) {
    if (token.kind !== 'punct') continue;
    if (token.text === '(') depth++;
    else if (token.text === ')') depth--;
    else if (token.text === ';' && depth === 0) {
      statements.push(sql.slice(start, token.start));
      start = token.start + 1;
    }
  }
  statements.push(sql.slice(start));
  return statements.filter((statement) => significant(tokenize(statement)).length > 0);
}

export type TransactionControl = 'BEGIN' | 'COMMIT' | 'ROLLBACK';

/** BEGIN [TRANSACTION], COMMIT [TRANSACTION], ROLLBACK [TRANSACTION]: handled by the engine, not translated. */
export function transactionControlOf(statement: string): TransactionControl | undefined {
  const [first, second] = significant(tokenize(statement));
  if (second !== undefined && !isKeyword(second, 'TRANSACTION')) return undefined;
  if (isKeyword(first, 'BEGIN', 'COMMIT', 'ROLLBACK')) return first?.text.toUpperCase() as TransactionControl;
  return undefined;
}

/** statistics.query.statementType as BigQuery reports it; several statements make a SCRIPT. */
export function statementTypeOf(sql: string): string {
  const statements = splitStatements(sql);
  if (statements.length !== 1) return 'SCRIPT';
  const first = significant(tokenize(statements[0] as string)).find((token) => token.text !== '(');
  if (isKeyword(first, 'SELECT', 'WITH')) return 'SELECT';
  if (isKeyword(first, 'CREATE')) return 'CREATE_TABLE';
  if (isKeyword(first, 'INSERT', 'DELETE', 'UPDATE', 'MERGE', 'TRUNCATE', 'DROP')) return first?.text.toUpperCase() ?? 'UNKNOWN';
  return 'UNKNOWN';
}

/**
 * Wraps each `@name` in CAST(@name AS <its BigQuery type>), so the values can
 * be bound as text and DuckDB casts them exactly, as BigQuery types a
 * parameter by its declared type.
 */
export function castParameters(statement: string, types: ReadonlyMap<string, string>): string {
  return tokenize(statement)
    .map((token) => {
      const type = token.kind === 'parameter' ? types.get(token.text.slice(1)) : undefined;
      return type === undefined ? token.text : `CAST(${token.text} AS ${type})`;
    })
    .join('');
}
