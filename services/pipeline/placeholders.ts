import { PipelineError } from '../errors.js';
import { tokenize, type Token } from '../sql/sql-lexer.js';
import { referenceName, tableReferences, type TableReference } from '../sql/table-references.js';

const CURRENTLY = '{currently}';
const PARTITION_INFO = '{partition_info}';

/** Looks up the latest partition date of a table; the pipeline asks the warehouse once per run. */
export type PartitionDateLookup = (table: TableReference) => Promise<string>;

export interface ResolvedSql {
  sql: string;
  /** The first resolved {partition_info} date, for the recon row's latest_source_parttn_dt. */
  partitionDate?: string;
  /** Each table a {partition_info} resolved for, named as the SQL names it, and its date. */
  partitionDates: Record<string, string>;
}

export function usesPartitionInfo(sql: string): boolean {
  return sql.includes(PARTITION_INFO);
}

/** The table a {partition_info} at `offset` stands for: the reference nearest before it. */
function tableBefore(references: TableReference[], offset: number): TableReference | undefined {
  return references.filter((reference) => reference.start < offset).at(-1);
}

const holdsPartitionInfo = (token: Token) =>
  (token.kind === 'placeholder' && token.text === PARTITION_INFO) || (token.kind === 'string' && token.text.includes(PARTITION_INFO));

/**
 * The tables whose partition dates the SQL's {partition_info} placeholders
 * need, known before it runs, so a run can ask for all of them at once. SQL
 * the lexer cannot read needs none here: resolving it fails that metric alone.
 */
export function partitionInfoTables(sql: string): TableReference[] {
  if (!usesPartitionInfo(sql)) return [];
  try {
    const references = tableReferences(sql);
    return tokenize(sql)
      .filter(holdsPartitionInfo)
      .map((token) => tableBefore(references, token.start))
      .filter((table): table is TableReference => table !== undefined);
  } catch {
    return [];
  }
}

/**
 * Replaces {currently} with the run date and {partition_info} with the latest
 * partition date of the table referenced nearest before it (docs/contract.md#placeholders).
 * Quote-aware: inside a string literal a placeholder becomes the bare date,
 * outside one a quoted date literal. Dates are validated YYYY-MM-DD values
 * (run_date by the run parameters, partition dates by the lookup), so the
 * text spliced in can never be anything but a date.
 */
export async function resolvePlaceholders(sql: string, runDate: string, lookup: PartitionDateLookup): Promise<ResolvedSql> {
  const references = usesPartitionInfo(sql) ? tableReferences(sql) : [];
  let partitionDate: string | undefined;
  const partitionDates: Record<string, string> = {};
  const partitionDateAt = async (offset: number) => {
    const table = tableBefore(references, offset);
    if (!table) {
      throw new PipelineError('PARTITION_VALIDATION_ERROR', `{partition_info} at offset ${offset} follows no table reference`);
    }
    const date = await lookup(table);
    partitionDate ??= date;
    partitionDates[referenceName(table)] = date;
    return date;
  };

  const parts: string[] = [];
  for (const token of tokenize(sql)) {
    if (token.kind === 'placeholder' && token.text === CURRENTLY) {
      parts.push(`'${runDate}'`);
    } else if (token.kind === 'placeholder' && token.text === PARTITION_INFO) {
      parts.push(`'${await partitionDateAt(token.start)}'`);
    } else if (token.kind === 'string' && token.text.includes('{')) {
      let text = token.text.replaceAll(CURRENTLY, runDate);
      if (text.includes(PARTITION_INFO)) text = text.replaceAll(PARTITION_INFO, await partitionDateAt(token.start));
      parts.push(text);
    } else {
      parts.push(token.text);
    }
  }
  return { sql: parts.join(''), partitionDates, ...(partitionDate !== undefined ? { partitionDate } : {}) };
}
