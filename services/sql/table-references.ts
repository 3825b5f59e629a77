import { isKeyword, tokenize, type Token } from './sql-lexer.js';

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
 * UNNEST and `EXTRACT(part FROM x)` are not tables.
 */
export function tableReferences(sql: string): TableReference[] {
  const tokens = tokenize(sql);
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
