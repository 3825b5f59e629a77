import { isKeyword, significant, tokenize, type Token } from '../../../services/sql/sql-lexer.js';

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
  if (isKeyword(first, 'ALTER')) return 'ALTER_TABLE';
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

/**
 * BigQuery DDL in forms DuckDB parses: CREATE TABLE's PARTITION BY, CLUSTER BY
 * and OPTIONS(...) clauses (storage layout and metadata, which no test reads)
 * are dropped, and an ALTER TABLE with several comma-separated actions becomes
 * one ALTER TABLE per action. Any other statement is returned as it is.
 */
export function ddlForDuckDb(statement: string): string[] {
  const tokens = tokenize(statement);
  const [first, second] = significant(tokens);
  if (isKeyword(first, 'CREATE')) return [withoutTableOptions(tokens)];
  if (isKeyword(first, 'ALTER') && isKeyword(second, 'TABLE')) return alterActions(statement, tokens);
  return [statement];
}

/** Blanks each top-level PARTITION BY / CLUSTER BY / OPTIONS(...) clause, up to a top-level AS or the end. */
function withoutTableOptions(tokens: Token[]): string {
  let depth = 0;
  let dropping = false;
  return tokens
    .map((token) => {
      if (token.text === '(') depth++;
      else if (token.text === ')') depth--;
      else if (depth === 0 && isKeyword(token, 'PARTITION', 'CLUSTER', 'OPTIONS')) dropping = true;
      else if (depth === 0 && isKeyword(token, 'AS')) dropping = false;
      return dropping ? '' : token.text;
    })
    .join('');
}

/** `ALTER TABLE t ADD COLUMN a, ADD COLUMN b` as `ALTER TABLE t ADD COLUMN a` and `ALTER TABLE t ADD COLUMN b`. */
function alterActions(statement: string, tokens: Token[]): string[] {
  const tableKeyword = tokens.findIndex((token) => isKeyword(token, 'TABLE'));
  const actionStart = tokens.findIndex((token, i) => i > tableKeyword && isKeyword(token, 'ADD', 'DROP', 'RENAME', 'SET', 'ALTER'));
  if (actionStart < 0) return [statement];
  const prefix = tokens.slice(0, actionStart).map((token) => token.text).join('');
  const actions: string[] = [];
  let current = '';
  let depth = 0;
  for (const token of tokens.slice(actionStart)) {
    if (token.text === '(') depth++;
    else if (token.text === ')') depth--;
    if (depth === 0 && token.text === ',') {
      actions.push(current);
      current = '';
    } else {
      current += token.text;
    }
  }
  actions.push(current);
  return actions.map((action) => `${prefix}${action.trim()}`);
}
