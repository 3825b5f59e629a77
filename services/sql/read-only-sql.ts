import { PipelineError } from '../errors.js';
import { isKeyword, significant, tokenize, SqlSyntaxError, type Token } from './sql-lexer.js';

/**
 * Keywords that only statements which change data, schema, session or
 * files use. BigQuery functions that share a name with a statement (REPLACE)
 * are left out on purpose.
 */
const WRITE_KEYWORDS = [
  'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'TRUNCATE', 'CREATE', 'DROP', 'ALTER', 'GRANT', 'REVOKE',
  'CALL', 'EXECUTE', 'DECLARE', 'BEGIN', 'COMMIT', 'ROLLBACK', 'EXPORT', 'LOAD', 'COPY', 'ATTACH',
  'DETACH', 'PRAGMA', 'INSTALL', 'VACUUM', 'CHECKPOINT',
];

/**
 * Enforces docs/contract.md#config-file: a metric's SQL is one read-only statement (SELECT or
 * WITH). Checked before anything reaches the warehouse; a breach fails that
 * metric alone with SQL_EXECUTION_ERROR. Adapters check again with the
 * engine's own parser (defence in depth).
 */
export function assertReadOnlySql(sql: string): void {
  let tokens: Token[];
  try {
    tokens = significant(tokenize(sql));
  } catch (error) {
    if (error instanceof SqlSyntaxError) throw new PipelineError('SQL_EXECUTION_ERROR', `SQL rejected: ${error.message}`);
    throw error;
  }
  const reject = (reason: string) => {
    throw new PipelineError('SQL_EXECUTION_ERROR', `SQL rejected, only one read-only SELECT or WITH statement may run: ${reason}`);
  };

  const statement = withoutTrailingSemicolons(tokens);
  const first = statement.find((token) => token.text !== '(');
  if (first === undefined) reject('the statement is empty');
  if (!isKeyword(first, 'SELECT', 'WITH')) reject(`it starts with '${first?.text}'`);
  if (statement.some((token) => token.text === ';')) reject('it holds more than one statement');
  const write = statement.find((token) => isKeyword(token, ...WRITE_KEYWORDS));
  if (write) reject(`it uses ${write.text.toUpperCase()} (backtick it if it is a column name)`);
}

function withoutTrailingSemicolons(tokens: Token[]): Token[] {
  let end = tokens.length;
  while (end > 0 && tokens[end - 1]?.text === ';') end--;
  return tokens.slice(0, end);
}
