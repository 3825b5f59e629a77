/** A fully qualified table, `project.dataset.table` (docs/contract.md#config-file, target_table). */
export interface TableRef {
  project: string;
  dataset: string;
  table: string;
}

// Real project ids hold hyphens; dataset and table names never do.
const PROJECT_CHARS = '[A-Za-z0-9-]+';
const NAME_CHARS = '[A-Za-z0-9_]+';
const PROJECT = new RegExp(`^${PROJECT_CHARS}$`);
const NAME = new RegExp(`^${NAME_CHARS}$`);

/** What tableRefProblem accepts, as a JSON Schema pattern: blanks around the name are allowed, as they are trimmed. */
export const TABLE_REF_PATTERN = `^\\s*${PROJECT_CHARS}\\.${NAME_CHARS}\\.${NAME_CHARS}\\s*$`;

/** Why `text` is not a valid `project.dataset.table`, or undefined when it is. */
export function tableRefProblem(text: unknown): string | undefined {
  if (typeof text !== 'string' || text.trim() === '') return 'is required as project.dataset.table';
  const parts = text.trim().split('.');
  if (parts.length !== 3) return `must be project.dataset.table (three dot-separated parts), got '${text}'`;
  const [project, dataset, table] = parts as [string, string, string];
  if (!PROJECT.test(project)) return `project '${project}' may hold only letters, digits and hyphens`;
  if (!NAME.test(dataset)) return `dataset '${dataset}' may hold only letters, digits and underscores`;
  if (!NAME.test(table)) return `table '${table}' may hold only letters, digits and underscores`;
  return undefined;
}

/** Parses a name already checked with tableRefProblem. */
export function parseTableRef(text: string): TableRef {
  const problem = tableRefProblem(text);
  if (problem) throw new Error(`Invalid table name: ${problem}`);
  const [project, dataset, table] = text.trim().split('.') as [string, string, string];
  return { project, dataset, table };
}

export function formatTableRef(ref: TableRef): string {
  return `${ref.project}.${ref.dataset}.${ref.table}`;
}

/** The table as a BigQuery SQL identifier, backticked so hyphenated projects parse. */
export function quoteTableRef(ref: TableRef): string {
  return `\`${formatTableRef(ref)}\``;
}
