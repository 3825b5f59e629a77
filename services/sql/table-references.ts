import { isKeyword, significant, tokenize, type Token } from './sql-lexer.js';

/** A table named after FROM or JOIN: one to three parts, as written. */
export interface TableReference {
  /** Offset in the SQL text where the name starts. */
  start: number;
  project?: string;
  dataset?: string;
  table: string;
}

/** The reference as the SQL names it: `project.dataset.table`, `dataset.table` or `table`. */
export function referenceName(reference: TableReference): string {
  return [reference.project, reference.dataset, reference.table].filter((part) => part !== undefined).join('.');
}

/**
 * The tables a query reads, in the order they appear. Names are backticked or
 * bare (bare project ids may hold hyphens), one to three parts. Subqueries,
 * UNNEST, `EXTRACT(part FROM x)` and names defined by WITH are not tables
 * (docs/contract.md#partition-info).
 */
export function tableReferences(sql: string): TableReference[] {
  const tokens = tokenize(sql);
  const withNames = withClauseNames(significant(tokens));
  // A WITH name can only be used bare, as one part; `ds.cte` is a table.
  return namedAfterFromOrJoin(tokens).filter((reference) => reference.dataset !== undefined || !withNames.has(reference.table.toLowerCase()));
}

/** Every name after FROM or JOIN, in text order. */
function namedAfterFromOrJoin(tokens: Token[]): TableReference[] {
  const references: TableReference[] = [];
  const extractDepths: number[] = [];
  let depth = 0;
  let previous: Token | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.kind === 'space' || token.kind === 'comment') continue;
    if (token.text === '(') {
      depth++;
      if (isKeyword(previous, 'EXTRACT')) extractDepths.push(depth);
    } else if (token.text === ')') {
      if (extractDepths.at(-1) === depth) extractDepths.pop();
      depth--;
    } else if (isKeyword(token, 'FROM', 'JOIN') && extractDepths.at(-1) !== depth) {
      const reference = readName(tokens, nextSignificant(tokens, i + 1));
      if (reference) references.push(reference);
    }
    previous = token;
  }
  return references;
}

/**
 * The names a query defines with WITH, at any depth, lower-cased (BigQuery
 * matches them in any case): `WITH [RECURSIVE] a AS (...), b AS (...)`. A
 * WITH that is not followed by `name AS (` (UNNEST ... WITH OFFSET) defines nothing.
 */
function withClauseNames(tokens: Token[]): Set<string> {
  const names = new Set<string>();
  tokens.forEach((token, index) => {
    if (!isKeyword(token, 'WITH')) return;
    let i = isKeyword(tokens[index + 1], 'RECURSIVE') ? index + 2 : index + 1;
    for (;;) {
      const name = tokens[i];
      if (!name || (name.kind !== 'identifier' && name.kind !== 'quoted_identifier')) return;
      if (!isKeyword(tokens[i + 1], 'AS') || tokens[i + 2]?.text !== '(') return;
      names.add((name.kind === 'quoted_identifier' ? name.text.slice(1, -1) : name.text).toLowerCase());
      i = closingParenthesis(tokens, i + 2) + 1;
      if (tokens[i]?.text !== ',') return;
      i++;
    }
  });
  return names;
}

/** Index of the `)` matching the `(` at `open`, or the last index when it is unbalanced. */
function closingParenthesis(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]?.text === '(') depth++;
    else if (tokens[i]?.text === ')' && --depth === 0) return i;
  }
  return tokens.length - 1;
}

function nextSignificant(tokens: Token[], from: number): number {
  let i = from;
  while (i < tokens.length && (tokens[i]?.kind === 'space' || tokens[i]?.kind === 'comment')) i++;
  return i;
}

/** A name path as written, backticks removed, and the index of its last token. */
export interface NamePath {
  text: string;
  end: number;
}

/**
 * The dotted name starting at tokens[start], read as BigQuery does: any mix of
 * backticked and bare parts, with hyphens joining the parts of a bare project
 * id (my-proj.ds.t). It ends at the first token that cannot continue a name,
 * whitespace included.
 */
export function namePathAt(tokens: Token[], start: number): NamePath | undefined {
  let text = '';
  let i = start;
  for (; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.kind === 'quoted_identifier') text += token.text.slice(1, -1);
    else if (token.kind === 'identifier' || token.kind === 'number' || token.text === '.' || token.text === '-') text += token.text;
    else break;
  }
  return i === start ? undefined : { text, end: i - 1 };
}

/** The table named at tokens[start], unless what is there is a subquery, UNNEST or a table function call. */
function readName(tokens: Token[], start: number): TableReference | undefined {
  const first = tokens[start];
  if (!first || (first.kind !== 'identifier' && first.kind !== 'quoted_identifier')) return undefined;
  if (first.kind === 'identifier' && isKeyword(first, 'UNNEST', 'SELECT', 'WITH')) return undefined;
  const path = namePathAt(tokens, start);
  if (path === undefined || tokens[path.end + 1]?.text === '(') return undefined;
  const parts = path.text.split('.').filter((part) => part !== '');
  const table = parts.at(-1);
  if (table === undefined || parts.length > 3) return undefined;
  return {
    start: first.start,
    table,
    ...(parts.length >= 2 ? { dataset: parts.at(-2) as string } : {}),
    ...(parts.length === 3 ? { project: parts[0] as string } : {}),
  };
}
