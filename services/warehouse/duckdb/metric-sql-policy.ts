/**
 * What metric SQL may do on the embedded warehouse: read tables and compute.
 * Checked on DuckDB's own parse of the translated SQL, before anything binds
 * or runs, so a refused metric never reaches the engine (docs/contract.md#warehouses).
 *
 * Deny by default. The functions a metric may call are derived at start-up
 * from the engine's own catalog, duckdb_functions(), not typed out here:
 * - every built-in scalar and aggregate function (window functions included)
 *   that DuckDB marks free of side effects;
 * - every built-in scalar macro whose definition, parsed the same way, calls
 *   only allowed functions and reads no table (so `pg_sleep`, which calls
 *   sleep_ms, and `pg_get_viewdef`, which reads duckdb_views(), are refused);
 * - the BigQuery compatibility macros this adapter creates, on the same terms;
 * - in FROM, only the table functions UNNEST, RANGE and GENERATE_SERIES.
 * Refused: every other table function, table macro and pragma function
 * (logging, profiling, settings, checkpoints, secrets, query(), file
 * readers, glob, catalog and extension functions), every scalar with side
 * effects (random, nextval, setseed, write_log, sleep_ms, ...), the few
 * side-effect-free functions named in STATE_READERS, calls qualified with a
 * catalog or schema, the engine's catalog views (duckdb_tables,
 * information_schema, pg_catalog, ...), file paths read as tables, and
 * DESCRIBE / SHOW / SUMMARIZE.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { PipelineError } from '../../errors.js';
import { factsOf, parseSelectStatements, type FunctionCall, type TableName, type TreeFacts } from './parse-tree.js';

/** Table functions a metric may read: rows made from its own arguments, nothing from outside. */
const TABLE_FUNCTIONS = new Set(['unnest', 'range', 'generate_series']);

/**
 * Functions DuckDB marks free of side effects that still read the
 * environment or the engine's state (settings, variables, catalog, session,
 * version), or parse, plan or run SQL text of their own.
 */
const STATE_READERS = new Set([
  'getenv', 'current_setting', 'getvariable', 'current_database', 'current_catalog', 'current_schema',
  'current_schemas', 'in_search_path', 'txid_current', 'version',
  'json_serialize_sql', 'json_deserialize_sql', 'json_serialize_plan',
]);

/** Catalogs and schemas that hold the engine's own objects, never a project's tables. */
const ENGINE_NAMESPACES = new Set(['system', 'temp', 'memory', 'information_schema', 'pg_catalog']);

/** Table references a metric may use; anything else (SHOW_REF: DESCRIBE, SHOW, SUMMARIZE) is refused. */
const TABLE_REF_TYPES = new Set(['BASE_TABLE', 'JOIN', 'SUBQUERY', 'TABLE_FUNCTION', 'EXPRESSION_LIST', 'EMPTY', 'PIVOT']);

/** Replacement scans read a file named like a table ('data.csv'); BigQuery table names hold none of these. */
const FILE_LIKE = /[./\\:]/;

/** Expression functions: scalar, aggregate (windows included) and scalar macros. */
const EXPRESSION_FUNCTION_TYPES = new Set(['scalar', 'aggregate', 'macro']);

export interface CheckedSql {
  /** The projects the SQL names, to attach before it runs. */
  projects: string[];
}

/** A name expressions may call, with what the engine says of all its overloads. */
interface CatalogFunction {
  name: string;
  sideEffects: boolean;
  /** Its macros' definitions, parsed: their facts, or undefined where one does not parse as an expression. */
  definitions: (TreeFacts | undefined)[];
}

/**
 * Every engine of the process runs the same DuckDB library and the same
 * compatibility macros, so the policy is derived once, at the first open:
 * reading duckdb_functions() takes a tenth of a second or more.
 */
let derived: Promise<MetricSqlPolicy> | undefined;

export class MetricSqlPolicy {
  private constructor(
    private readonly expressionFunctions: ReadonlySet<string>,
    private readonly engineViews: ReadonlySet<string>,
  ) {}

  /** The policy, derived from the engine on a connection that has the compatibility macros. */
  static load(connection: DuckDBConnection): Promise<MetricSqlPolicy> {
    derived ??= MetricSqlPolicy.derive(connection).catch((error: unknown) => {
      derived = undefined;
      throw error;
    });
    return derived;
  }

  private static async derive(connection: DuckDBConnection): Promise<MetricSqlPolicy> {
    // One row per name, so the start-up reads about 800 rows, not 3,000.
    const types = [...EXPRESSION_FUNCTION_TYPES].map((type) => `'${type}'`).join(', ');
    const functions = await connection.runAndReadAll(
      `SELECT lower(function_name) AS name, bool_or(coalesce(has_side_effects, false)) AS side_effects,
         list(json_serialize_sql('SELECT ' || macro_definition)) FILTER (WHERE function_type = 'macro') AS definitions
       FROM duckdb_functions() WHERE (internal OR database_name = 'temp') AND function_type IN (${types}) GROUP BY 1`,
    );
    const views = await connection.runAndReadAll('SELECT DISTINCT lower(view_name) AS name FROM duckdb_views() WHERE internal');
    const catalog = functions.getRowObjectsJson().map(
      (row): CatalogFunction => ({
        name: row.name as string,
        sideEffects: row.side_effects === true,
        definitions: ((row.definitions ?? []) as string[]).map(macroFacts),
      }),
    );
    return new MetricSqlPolicy(allowedExpressionFunctions(catalog), new Set(views.getRowObjectsJson().map((row) => row.name as string)));
  }

  /**
   * Parses DuckDB SQL with DuckDB's parser and refuses, with SQL_EXECUTION_ERROR
   * naming what, anything but one SELECT within the policy. Never binds or
   * runs it: a dry run applies the same check.
   */
  async check(connection: DuckDBConnection, duckDbSql: string): Promise<CheckedSql> {
    const statements = await parseSelectStatements(connection, duckDbSql);
    if (statements.length !== 1) {
      throw refused(`Only one read-only SELECT statement may run; got ${statements.length} statements`);
    }
    const facts = factsOf(statements[0]);
    const refusal =
      facts.tableRefTypes.map(tableRefRefusal).find(defined) ??
      facts.calls.map((call) => this.callRefusal(call)).find(defined) ??
      facts.tables.map((table) => this.tableRefusal(table)).find(defined);
    if (refusal !== undefined) throw refused(refusal);
    return { projects: [...new Set(facts.tables.map((table) => table.catalog).filter((catalog) => catalog !== ''))] };
  }

  private callRefusal(call: FunctionCall): string | undefined {
    const allowed =
      (call.qualifier === '' || call.qualifier === 'main.') &&
      (TABLE_FUNCTIONS.has(call.name) || (call.position === 'expression' && this.expressionFunctions.has(call.name)));
    return allowed ? undefined : `function ${call.qualifier}${call.name} is not allowed in metric SQL`;
  }

  private tableRefusal(table: TableName): string | undefined {
    if (FILE_LIKE.test(table.name)) return `reading the file '${table.name}' is not allowed in metric SQL`;
    const engineOwned =
      ENGINE_NAMESPACES.has(table.catalog.toLowerCase()) ||
      ENGINE_NAMESPACES.has(table.schema.toLowerCase()) ||
      (table.catalog === '' && this.engineViews.has(table.name.toLowerCase()));
    if (!engineOwned) return undefined;
    return `table ${[table.catalog, table.schema, table.name].filter((part) => part !== '').join('.')} is not allowed in metric SQL`;
  }
}

/**
 * The names allowed in expressions: every entry of the name side-effect-free
 * and not a state reader, and a macro only once everything its definition
 * calls is allowed (a fixed point, since macros call macros).
 */
function allowedExpressionFunctions(catalog: CatalogFunction[]): Set<string> {
  const allowed = new Set<string>();
  const macros = new Map<string, (TreeFacts | undefined)[]>();
  for (const { name, sideEffects, definitions } of catalog) {
    if (STATE_READERS.has(name) || sideEffects) continue;
    if (definitions.length === 0) allowed.add(name);
    else macros.set(name, definitions);
  }
  for (let grown = true; grown; ) {
    grown = false;
    for (const [name, definitions] of macros) {
      if (!definitions.every((definition) => definitionIsAllowed(definition, allowed))) continue;
      allowed.add(name);
      macros.delete(name);
      grown = true;
    }
  }
  return allowed;
}

function definitionIsAllowed(definition: TreeFacts | undefined, allowed: ReadonlySet<string>): boolean {
  return (
    definition !== undefined &&
    definition.tables.length === 0 &&
    definition.tableRefTypes.every((type) => tableRefRefusal(type) === undefined) &&
    definition.calls.every((call) => TABLE_FUNCTIONS.has(call.name) || (call.position === 'expression' && allowed.has(call.name)))
  );
}

/** The facts of a serialized `SELECT <macro definition>`; undefined when it did not parse. */
function macroFacts(serialized: string): TreeFacts | undefined {
  const parsed = JSON.parse(serialized) as { error: boolean; statements?: unknown[] };
  return parsed.error ? undefined : factsOf(parsed.statements);
}

function tableRefRefusal(type: string): string | undefined {
  if (TABLE_REF_TYPES.has(type)) return undefined;
  return type === 'SHOW_REF' ? 'DESCRIBE, SHOW and SUMMARIZE are not allowed in metric SQL' : `${type} is not allowed in metric SQL`;
}

function refused(reason: string): PipelineError {
  return new PipelineError('SQL_EXECUTION_ERROR', reason);
}

function defined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
