import { quotedValue } from './errors.js';

/** A fully qualified table, `project.dataset.table` (docs/contract.md#config-file, target_table). */
export interface TableRef {
  project: string;
  dataset: string;
  table: string;
}

/** Google Cloud project ids: 6 to 30 lowercase letters, digits or hyphens, starting with a letter, not ending with a hyphen. */
const PROJECT_CHARS = '[a-z][a-z0-9-]{4,28}[a-z0-9]';
/** BigQuery dataset and table ids, as configs name them: letters, digits and underscores, at most 1,024 characters. */
const MAX_NAME_CHARS = 1024;
const NAME_CHARS = `[A-Za-z0-9_]{1,${MAX_NAME_CHARS}}`;
const PROJECT = new RegExp(`^${PROJECT_CHARS}$`);
const NAME = /^[A-Za-z0-9_]+$/;

/** What tableRefProblem accepts, as a JSON Schema pattern: blanks around the name are allowed, as they are trimmed. */
export const TABLE_REF_PATTERN = `^\\s*${PROJECT_CHARS}\\.${NAME_CHARS}\\.${NAME_CHARS}\\s*$`;

/** Why `text` is not a valid `project.dataset.table`, or undefined when it is. Quotes only an excerpt of what it was given. */
export function tableRefProblem(text: unknown): string | undefined {
  if (typeof text !== 'string' || text.trim() === '') return 'is required as project.dataset.table';
  const parts = text.trim().split('.');
  if (parts.length !== 3) return `must be project.dataset.table (three dot-separated parts), got ${quotedValue(text)}`;
  const [project, dataset, table] = parts as [string, string, string];
  if (!PROJECT.test(project)) {
    return `project ${quotedValue(project)} must be a Google Cloud project id: 6 to 30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen`;
  }
  return nameProblem('dataset', dataset) ?? nameProblem('table', table);
}

function nameProblem(kind: string, name: string): string | undefined {
  if (!NAME.test(name)) return `${kind} ${quotedValue(name)} may hold only letters, digits and underscores`;
  if (name.length > MAX_NAME_CHARS) return `${kind} ${quotedValue(name)} is longer than BigQuery's limit of ${MAX_NAME_CHARS} characters`;
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
