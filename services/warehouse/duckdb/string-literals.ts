/**
 * BigQuery string literals carry backslash escapes, raw and triple-quoted forms
 * and may use double quotes; DuckDB knows only '...' with '' for a quote. The
 * literal's VALUE is kept exactly; only its spelling changes.
 */
import { SqlSyntaxError } from '../../sql/sql-lexer.js';

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '?': '?',
  '"': '"',
  "'": "'",
  '`': '`',
};

/** True when the literal is already spelled the same way in DuckDB. */
function isPortable(literal: string): boolean {
  return /^'[^'\\]*'$/.test(literal);
}

/** The text value of a BigQuery string literal token (as the shared lexer cuts it). */
function decodeBigQueryString(literal: string): string {
  const prefix = /^[rRbB]*/.exec(literal)?.[0] ?? '';
  if (/b/i.test(prefix)) throw new SqlSyntaxError(`Bytes literals are not supported on DuckDB: ${literal}`);
  const raw = /r/i.test(prefix);
  const quoted = literal.slice(prefix.length);
  const quote = quoted[0] as string;
  const fence = quoted.startsWith(quote.repeat(3)) && quoted.length >= 6 ? 3 : 1;
  const body = quoted.slice(fence, quoted.length - fence);
  return raw ? body : unescape(body);
}

function unescape(body: string): string {
  let value = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      value += c;
      continue;
    }
    const e = body[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      value += simple;
      i += 1;
      continue;
    }
    const width = e === 'x' || e === 'X' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (width > 0) {
      const hex = body.slice(i + 2, i + 2 + width);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) throw new SqlSyntaxError(`Bad escape \\${e}${hex}`);
      value += String.fromCodePoint(parseInt(hex, 16));
      i += 1 + width;
      continue;
    }
    const octal = body.slice(i + 1, i + 4);
    if (/^[0-7]{3}$/.test(octal)) {
      value += String.fromCharCode(parseInt(octal, 8));
      i += 3;
      continue;
    }
    throw new SqlSyntaxError(`Unknown escape sequence \\${e} in string literal`);
  }
  return value;
}

/** A DuckDB string literal holding `value`. */
function duckDbStringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The DuckDB spelling of a BigQuery string literal token; portable ones are left alone. */
export function translateStringLiteral(literal: string): string {
  return isPortable(literal) ? literal : duckDbStringLiteral(decodeBigQueryString(literal));
}
