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

/** An ARRAY parameter's elements as rows: a table's name and its fields with their BigQuery types. */
export interface ArrayTable {
  table: string;
  fields: Array<{ name: string; type: string }>;
}

/**
 * Replaces each `UNNEST(@name)` of an ARRAY parameter with a subquery over the
 * table holding its elements, one column per STRUCT field (a scalar element
 * is one column), cast to the declared types: what BigQuery's UNNEST yields.
 */
export function expandArrayParameters(statement: string, arrays: ReadonlyMap<string, ArrayTable>): string {
  const tokens = tokenize(statement);
  const parts: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const call = isKeyword(tokens[i], 'UNNEST') ? unnestedParameter(tokens, i + 1) : undefined;
    const array = call ? arrays.get(call.name) : undefined;
    if (call && array) {
      const fields = array.fields.map((field) => `CAST(\`${field.name}\` AS ${field.type}) AS \`${field.name}\``);
      parts.push(`(SELECT ${fields.join(', ')} FROM ${array.table})`);
      i = call.end;
    } else {
      parts.push((tokens[i] as Token).text);
    }
  }
  return parts.join('');
}

/** `( @name )` from tokens[from]: the parameter's name and the index of the closing parenthesis. */
function unnestedParameter(tokens: Token[], from: number): { name: string; end: number } | undefined {
  const [open, parameter, close] = [from, from + 1, from + 2].map((start) => nextSignificant(tokens, start));
  if (open === undefined || parameter === undefined || close === undefined) return undefined;
  const [openToken, parameterToken, closeToken] = [tokens[open], tokens[parameter], tokens[close]] as Token[];
  if (openToken?.text !== '(' || parameterToken?.kind !== 'parameter' || closeToken?.text !== ')') return undefined;
  return { name: parameterToken.text.slice(1), end: close };
}

function nextSignificant(tokens: Token[], from: number): number | undefined {
  let index = from;
  while (index < tokens.length && ['space', 'comment'].includes((tokens[index] as Token).kind)) index++;
  return index < tokens.length ? index : undefined;
}

/**
 * BigQuery scripting's `ASSERT condition [AS 'description']` as a DuckDB
 * SELECT that raises the description when the condition does not hold, as
 * BigQuery fails the script; undefined for any other statement.
 */
export function assertionForDuckDb(statement: string): string | undefined {
  const tokens = tokenize(statement);
  const [first] = significant(tokens);
  if (!isKeyword(first, 'ASSERT')) return undefined;
  let depth = 0;
  const asIndex = tokens.findIndex((token) => {
    if (token.text === '(') depth++;
    else if (token.text === ')') depth--;
    return depth === 0 && isKeyword(token, 'AS');
  });
  const conditionEnd = asIndex < 0 ? tokens.length : asIndex;
  const condition = tokens.slice(tokens.indexOf(first as Token) + 1, conditionEnd).map((token) => token.text).join('');
  const description = asIndex < 0 ? `'Assertion failed'` : significant(tokens.slice(asIndex + 1))[0]?.text;
  return `SELECT CASE WHEN (${condition}) THEN TRUE ELSE error(${description}) END`;
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
