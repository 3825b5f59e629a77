/**
 * DuckDB's own parse of SQL text (json_serialize_sql, which serializes only
 * SELECT statements), and what a policy needs to know of it: every function
 * called and where, every table named, every kind of table reference. Parsing
 * binds nothing, reads no table and runs nothing.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { PipelineError } from '../../errors.js';

export interface FunctionCall {
  /** Lower case, as DuckDB looks functions up. */
  name: string;
  /** In FROM (a table function) or in an expression. */
  position: 'table' | 'expression';
  /** `catalog.schema.` as written before the name, or '' (the parser itself writes `main.` before a few). */
  qualifier: string;
}

export interface TableName {
  catalog: string;
  schema: string;
  name: string;
}

export interface TreeFacts {
  calls: FunctionCall[];
  tables: TableName[];
  /** The type of every table reference: BASE_TABLE, JOIN, SUBQUERY, TABLE_FUNCTION, SHOW_REF, ... */
  tableRefTypes: string[];
}

interface SerializedSql {
  error: boolean;
  error_type?: string;
  error_message?: string;
  statements?: unknown[];
}

type Node = Record<string, unknown>;

/**
 * Column names the binder turns into function calls when no column has the
 * name (GetSQLValueFunctionName in DuckDB's bind_columnref_expression.cpp):
 * `SELECT current_schema` parses as a column reference and runs current_schema().
 */
const SQL_VALUE_FUNCTIONS: Readonly<Record<string, string>> = {
  current_catalog: 'current_catalog',
  current_date: 'current_date',
  current_schema: 'current_schema',
  current_role: 'current_role',
  current_time: 'get_current_time',
  current_timestamp: 'get_current_timestamp',
  current_user: 'current_user',
  localtime: 'current_localtime',
  localtimestamp: 'current_localtimestamp',
  session_user: 'session_user',
  user: 'user',
};

/** The parse trees of the SELECT statements in `sql`; anything else, or a syntax error, is SQL_EXECUTION_ERROR. */
export async function parseSelectStatements(connection: DuckDBConnection, sql: string): Promise<unknown[]> {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS tree', [sql]);
  const serialized = JSON.parse(reader.getRowObjectsJson()[0]?.tree as string) as SerializedSql;
  if (!serialized.error) return serialized.statements ?? [];
  const reason = serialized.error_type === 'parser' ? `Parser Error: ${serialized.error_message}` : 'Only a read-only SELECT statement may run';
  throw new PipelineError('SQL_EXECUTION_ERROR', reason);
}

/** What a parse tree calls and reads, at any depth: subqueries, CTEs, lambdas and table function arguments included. */
export function factsOf(tree: unknown): TreeFacts {
  const facts: TreeFacts = { calls: [], tables: [], tableRefTypes: [] };
  visit(tree, facts);
  return facts;
}

function visit(value: unknown, facts: TreeFacts): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, facts);
    return;
  }
  if (!isNode(value)) return;
  if (isTableRef(value)) noteTableRef(value, facts);
  else noteExpression(value, facts);
  for (const [key, child] of Object.entries(value)) {
    // A table function's call is noted as one; only its arguments are expressions.
    visit(key === 'function' && value.type === 'TABLE_FUNCTION' && isNode(child) ? child.children : child, facts);
  }
}

function noteTableRef(ref: Node, facts: TreeFacts): void {
  facts.tableRefTypes.push(String(ref.type));
  if (ref.type === 'TABLE_FUNCTION' && isNode(ref.function)) facts.calls.push(callOf(ref.function, 'table'));
  if (ref.type === 'BASE_TABLE') {
    facts.tables.push({ catalog: text(ref.catalog_name), schema: text(ref.schema_name), name: text(ref.table_name) });
  }
}

function noteExpression(node: Node, facts: TreeFacts): void {
  if (node.class === 'FUNCTION' || node.class === 'WINDOW') facts.calls.push(callOf(node, 'expression'));
  if (node.class === 'COLUMN_REF' && Array.isArray(node.column_names)) {
    for (const part of node.column_names) {
      const name = SQL_VALUE_FUNCTIONS[text(part).toLowerCase()];
      if (name !== undefined) facts.calls.push({ name, position: 'expression', qualifier: '' });
    }
  }
}

function callOf(node: Node, position: FunctionCall['position']): FunctionCall {
  const qualifier = [text(node.catalog), text(node.schema)].filter((part) => part !== '').map((part) => `${part}.`).join('');
  return { name: text(node.function_name).toLowerCase(), position, qualifier };
}

/** Table references carry an alias and a sample clause; expressions carry a class instead. */
function isTableRef(node: Node): boolean {
  return !('class' in node) && 'alias' in node && 'sample' in node && typeof node.type === 'string';
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
