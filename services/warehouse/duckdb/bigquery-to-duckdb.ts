/**
 * BigQuery standard SQL → DuckDB SQL, token by token on the shared lexer, so
 * nothing inside a string literal or comment is ever rewritten by accident.
 * Functions whose DuckDB spelling needs their arguments reordered or their
 * result retyped are macros (BIGQUERY_COMPAT_MACROS), created on every
 * connection that runs translated SQL.
 */
import { quotedIdentifier } from '@duckdb/node-api';
import { NUMERIC_PRECISION, NUMERIC_SCALE } from '../../numeric.js';
import { isKeyword, tokenize, type Token } from '../../sql/sql-lexer.js';
import { namePathAt } from '../../sql/table-references.js';
import { DATE_PART_FUNCTIONS, DATE_PART_MACROS, rewriteDatePartCall, type DatePart } from './date-parts.js';
import { translateStringLiteral } from './string-literals.js';

/** The decimal type BigQuery NUMERIC maps to: 29 integer digits, 9 decimals. */
export const DUCKDB_NUMERIC = `DECIMAL(${NUMERIC_PRECISION},${NUMERIC_SCALE})`;

/**
 * TEMP macros live on one connection only, so every connection that runs
 * translated SQL must run these first. DATE_ADD/DATE_SUB get a bq_ prefix
 * because DuckDB has built-ins of those names with other meanings.
 */
export const BIGQUERY_COMPAT_MACROS: readonly string[] = [
  'CREATE OR REPLACE TEMP MACRO safe_divide(a, b) AS CASE WHEN b = 0 THEN NULL ELSE a / b END',
  'CREATE OR REPLACE TEMP MACRO format_date(fmt, d) AS strftime(CAST(d AS DATE), fmt)',
  'CREATE OR REPLACE TEMP MACRO parse_date(fmt, s) AS CAST(strptime(s, fmt) AS DATE)',
  // BigQuery DATE_ADD/DATE_SUB return DATE; DuckDB's DATE ± INTERVAL is a TIMESTAMP.
  'CREATE OR REPLACE TEMP MACRO bq_date_add(d, i) AS CAST(CAST(d AS DATE) + i AS DATE)',
  'CREATE OR REPLACE TEMP MACRO bq_date_sub(d, i) AS CAST(CAST(d AS DATE) - i AS DATE)',
  ...DATE_PART_MACROS,
];

const FUNCTION_RENAMES: Record<string, string> = {
  SAFE_CAST: 'TRY_CAST',
  DATE_ADD: 'bq_date_add',
  DATE_SUB: 'bq_date_sub',
};

/** BigQuery type names used bare (no parameters) and their DuckDB types. */
const TYPE_RENAMES: Record<string, string> = {
  FLOAT64: 'DOUBLE',
  INT64: 'BIGINT',
  STRING: 'VARCHAR',
  BOOL: 'BOOLEAN',
  NUMERIC: DUCKDB_NUMERIC,
  BIGNUMERIC: DUCKDB_NUMERIC,
  DECIMAL: DUCKDB_NUMERIC,
  BIGDECIMAL: DUCKDB_NUMERIC,
  // BigQuery TIMESTAMP is an absolute instant; DATETIME is wall-clock time.
  TIMESTAMP: 'TIMESTAMPTZ',
  DATETIME: 'TIMESTAMP',
};

/** Parameterized forms such as NUMERIC(20, 4). */
const PARAMETERIZED_TYPE_RENAMES: Record<string, string> = {
  NUMERIC: 'DECIMAL',
  BIGNUMERIC: 'DECIMAL',
  BIGDECIMAL: 'DECIMAL',
};

const CAST_FUNCTIONS = new Set(['CAST', 'SAFE_CAST', 'TRY_CAST']);

const INTERVAL_UNITS = new Set([
  'MICROSECOND',
  'MILLISECOND',
  'SECOND',
  'MINUTE',
  'HOUR',
  'DAY',
  'WEEK',
  'MONTH',
  'QUARTER',
  'YEAR',
]);

const BARE_HYPHENATED_NAME = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+(?:\.[A-Za-z0-9_]+){1,2}$/;

export function translateBigQuerySql(sql: string): string {
  return new Translation(tokenize(sql)).run();
}

/** A BigQuery name path (`a.b.c`, one backticked token or a bare name) as quoted DuckDB identifiers. */
function quoteNamePath(path: string): string {
  return path.split('.').map(quotedIdentifier).join('.');
}

class Translation {
  private readonly out: string[];
  /** Significant-token positions, to look at neighbours across whitespace and comments. */
  private readonly significantIndexes: number[];
  private readonly significantRank = new Map<number, number>();
  /** The function (name, or '', and token index) each open parenthesis belongs to, and text to add at its close. */
  private readonly parens: Array<{ name: string; nameIndex: number | undefined; closeSuffix: string }> = [];
  /** Token indexes of function names written with BigQuery's SAFE. prefix. */
  private readonly safeCalls = new Set<number>();

  constructor(private readonly tokens: Token[]) {
    this.out = tokens.map((token) => token.text);
    this.significantIndexes = tokens.flatMap((token, i) => (token.kind === 'space' || token.kind === 'comment' ? [] : [i]));
    this.significantIndexes.forEach((index, rank) => this.significantRank.set(index, rank));
  }

  run(): string {
    for (let i = 0; i < this.tokens.length; i++) {
      const token = this.tokens[i] as Token;
      switch (token.kind) {
        case 'comment':
          if (token.text.startsWith('#')) this.out[i] = `--${token.text.slice(1)}`;
          break;
        case 'string':
          this.out[i] = translateStringLiteral(token.text);
          break;
        case 'quoted_identifier':
          this.out[i] = quoteNamePath(token.text.slice(1, -1));
          break;
        case 'parameter':
          if (!token.text.startsWith('@@')) this.out[i] = `$${token.text.slice(1)}`;
          break;
        case 'punct':
          this.trackParens(i, token);
          break;
        case 'identifier':
          i = this.identifier(i, token);
          break;
        default:
          break;
      }
    }
    return this.out.join('');
  }

  /** Index of the significant token `offset` places away from token `i` (which must be significant). */
  private neighbourIndex(i: number, offset: number): number | undefined {
    const rank = this.significantRank.get(i);
    return rank === undefined ? undefined : this.significantIndexes[rank + offset];
  }

  private neighbour(i: number, offset: number): Token | undefined {
    const index = this.neighbourIndex(i, offset);
    return index === undefined ? undefined : this.tokens[index];
  }

  private trackParens(i: number, token: Token): void {
    if (token.text === '(') {
      const before = this.neighbour(i, -1);
      const call = before?.kind === 'identifier';
      const nameIndex = call ? this.neighbourIndex(i, -1) : undefined;
      const closeSuffix = nameIndex !== undefined && this.safeCalls.has(nameIndex) ? ')' : '';
      this.parens.push({ name: call ? before.text.toUpperCase() : '', nameIndex, closeSuffix });
    } else if (token.text === ')') {
      this.out[i] += this.parens.pop()?.closeSuffix ?? '';
    }
  }

  /** Rewrites the identifier at `i`; returns the last token index it consumed. */
  private identifier(i: number, token: Token): number {
    const word = token.text.toUpperCase();
    const before = this.neighbour(i, -1);
    const after = this.neighbour(i, 1);
    if (word === 'SAFE' && after?.text === '.' && this.neighbour(i, 3)?.text === '(') return this.safePrefix(i);
    if ((before?.text === '.' && !this.safeCalls.has(i)) || after?.text === '.') return i;
    const call = after?.text === '(';

    if (isKeyword(before, 'FROM', 'JOIN')) {
      const end = this.bareHyphenatedName(i);
      if (end !== i) return end;
    }
    const datePartEnd = this.datePart(i, word, before, after);
    if (datePartEnd !== undefined) return datePartEnd;
    if (call) {
      const renamed = FUNCTION_RENAMES[word];
      if (renamed !== undefined) this.out[i] = renamed;
      if (word === 'CURRENT_TIMESTAMP' && this.neighbour(i, 2)?.text === ')') return this.dropEmptyCall(i);
      if (PARAMETERIZED_TYPE_RENAMES[word] !== undefined && this.isTypePosition(before)) {
        this.out[i] = PARAMETERIZED_TYPE_RENAMES[word];
      }
      return i;
    }
    if (word === 'INTERVAL') {
      this.parenthesizeIntervalAmount(i);
      return i;
    }
    const type = TYPE_RENAMES[word];
    if (type !== undefined && this.isTypePosition(before)) this.out[i] = type;
    return i;
  }

  /**
   * SAFE.FN(args) returns NULL where FN would raise an error; DuckDB's TRY does
   * the same. The call's closing parenthesis gets the extra one (trackParens).
   */
  private safePrefix(i: number): number {
    const dot = this.neighbourIndex(i, 1) as number;
    this.out[i] = 'TRY(';
    this.out[dot] = '';
    this.safeCalls.add(this.neighbourIndex(i, 2) as number);
    return dot;
  }

  /** `x AS STRING` names a type inside CAST(...) but an alias anywhere else. */
  private isTypePosition(before: Token | undefined): boolean {
    if (!isKeyword(before, 'AS')) return true;
    return CAST_FUNCTIONS.has(this.parens.at(-1)?.name ?? '');
  }

  /**
   * Rewrites a date part argument (and its call) where BigQuery and DuckDB
   * differ; returns the last token index consumed, or undefined if `i` is
   * not a date part argument.
   */
  private datePart(i: number, word: string, before: Token | undefined, after: Token | undefined): number | undefined {
    const call = this.parens.at(-1);
    const position = DATE_PART_FUNCTIONS[call?.name ?? ''];
    if (call?.nameIndex === undefined || position === undefined) return undefined;
    if (before?.text !== (position === 'first' ? '(' : ',')) return undefined;
    const part: DatePart = { name: word };
    let end = i;
    if (word === 'WEEK' && after?.text === '(') {
      const weekday = this.neighbour(i, 2);
      const close = this.neighbourIndex(i, 3);
      if (weekday?.kind !== 'identifier' || close === undefined || this.tokens[close]?.text !== ')') return undefined;
      part.weekday = weekday.text.toUpperCase();
      end = close;
    }
    const next = this.neighbourIndex(end, 1);
    const nextText = next === undefined ? undefined : this.tokens[next]?.text.toUpperCase();
    if (nextText !== (position === 'first' ? 'FROM' : ')')) return undefined;
    const rewrite = rewriteDatePartCall(call.name, part);
    if (rewrite === undefined) return end;
    this.out[call.nameIndex] = rewrite.functionName;
    for (let k = i + 1; k <= end; k++) this.out[k] = '';
    this.out[i] = rewrite.partText;
    // EXTRACT(part FROM d) rewritten to a macro call: the part, if kept, becomes its first argument.
    if (position === 'first' && rewrite.functionName !== 'EXTRACT' && next !== undefined) {
      this.out[next] = rewrite.partText === '' ? '' : ',';
    }
    return end;
  }

  /** CURRENT_TIMESTAMP() is a keyword in DuckDB and takes no parentheses. */
  private dropEmptyCall(i: number): number {
    let end = i + 1;
    while ((this.tokens[end] as Token).text !== ')') this.out[end++] = '';
    this.out[end] = '';
    return end;
  }

  /**
   * BigQuery accepts any expression in INTERVAL n DAY; DuckDB only a literal
   * unless the amount is parenthesized.
   */
  private parenthesizeIntervalAmount(i: number): void {
    const first = this.neighbour(i, 1);
    let depth = 0;
    for (let offset = 1; ; offset++) {
      const token = this.neighbour(i, offset);
      if (token === undefined) return;
      if (token.text === '(') depth++;
      if (token.text === ')') depth--;
      if (depth < 0) return;
      if (depth === 0 && offset > 1 && token.kind === 'identifier' && INTERVAL_UNITS.has(token.text.toUpperCase())) {
        if (offset === 2 && (first?.kind === 'number' || first?.kind === 'string')) return;
        const firstIndex = this.neighbourIndex(i, 1) as number;
        const lastIndex = this.neighbourIndex(i, offset - 1) as number;
        this.out[firstIndex] = `(${this.out[firstIndex]}`;
        this.out[lastIndex] = `${this.out[lastIndex]})`;
        return;
      }
    }
  }

  /**
   * BigQuery lets a FROM clause name a hyphenated project without backticks
   * (FROM my-proj.ds.t); the lexer sees my, -, proj, ... with no spaces between.
   */
  private bareHyphenatedName(i: number): number {
    const path = namePathAt(this.tokens, i);
    if (path === undefined || !BARE_HYPHENATED_NAME.test(path.text)) return i;
    this.out[i] = quoteNamePath(path.text);
    for (let k = i + 1; k <= path.end; k++) this.out[k] = '';
    return path.end;
  }
}
