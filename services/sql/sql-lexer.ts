/**
 * A lexer for BigQuery standard SQL, just deep enough to tell code from string
 * literals, comments and quoted identifiers. Placeholder resolution, the
 * read-only rule, source-table detection and the DuckDB translation all walk
 * these tokens, so none of them is fooled by a keyword inside a string.
 */
export type TokenKind =
  | 'space'
  | 'comment'
  | 'string'
  | 'quoted_identifier'
  | 'identifier'
  | 'number'
  | 'parameter'
  | 'placeholder'
  | 'punct';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
}

export class SqlSyntaxError extends Error {
  override name = 'SqlSyntaxError';
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const STRING_PREFIX = /^(r|b|rb|br)$/i;

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number) => {
    tokens.push({ kind, text: sql.slice(i, end), start: i });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      let end = i + 1;
      while (end < sql.length && /\s/.test(sql[end] as string)) end++;
      push('space', end);
    } else if ((c === '-' && next === '-') || c === '#') {
      const newline = sql.indexOf('\n', i);
      push('comment', newline === -1 ? sql.length : newline);
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close === -1) throw new SqlSyntaxError(`Unterminated comment at offset ${i}`);
      push('comment', close + 2);
    } else if (c === "'" || c === '"') {
      push('string', stringEnd(sql, i, false));
    } else if (c === '`') {
      const close = sql.indexOf('`', i + 1);
      if (close === -1) throw new SqlSyntaxError(`Unterminated quoted identifier at offset ${i}`);
      push('quoted_identifier', close + 1);
    } else if (IDENT_START.test(c)) {
      let end = i + 1;
      while (end < sql.length && IDENT_PART.test(sql[end] as string)) end++;
      const word = sql.slice(i, end);
      const quote = sql[end];
      if (STRING_PREFIX.test(word) && (quote === "'" || quote === '"')) {
        push('string', stringEnd(sql, end, /r/i.test(word)));
      } else {
        push('identifier', end);
      }
    } else if (DIGIT.test(c) || (c === '.' && next !== undefined && DIGIT.test(next))) {
      push('number', numberEnd(sql, i));
    } else if (c === '@' && next !== undefined && (IDENT_START.test(next) || next === '@')) {
      let end = i + 2;
      while (end < sql.length && IDENT_PART.test(sql[end] as string)) end++;
      push('parameter', end);
    } else if (c === '{') {
      const match = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(sql.slice(i));
      push(match ? 'placeholder' : 'punct', match ? i + match[0].length : i + 1);
    } else {
      push('punct', i + 1);
    }
  }
  return tokens;
}

/** End offset of the string literal whose opening quote is at `open`. */
function stringEnd(sql: string, open: number, raw: boolean): number {
  const quote = sql[open] as string;
  const triple = sql.startsWith(quote.repeat(3), open);
  const closing = triple ? quote.repeat(3) : quote;
  let i = open + closing.length;
  while (i < sql.length) {
    if (!raw && sql[i] === '\\') {
      i += 2;
    } else if (sql.startsWith(closing, i)) {
      return i + closing.length;
    } else if (!triple && sql[i] === '\n') {
      break;
    } else {
      i++;
    }
  }
  throw new SqlSyntaxError(`Unterminated string literal at offset ${open}`);
}

function numberEnd(sql: string, start: number): number {
  const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(sql.slice(start));
  return start + (match ? match[0].length : 1);
}

/** Tokens that carry meaning: no whitespace, no comments. */
export function significant(tokens: Token[]): Token[] {
  return tokens.filter((token) => token.kind !== 'space' && token.kind !== 'comment');
}

export function isKeyword(token: Token | undefined, ...words: string[]): boolean {
  return token?.kind === 'identifier' && words.includes(token.text.toUpperCase());
}
