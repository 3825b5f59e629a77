/**
 * Columns padded to their widest cell, between box-drawing borders, as the
 * summary, the dry-run report and `npm run query` print them. Drawn here
 * rather than by a table library: the table of a 10,000-metric run takes
 * milliseconds and a few MB, where cli-table3 took seconds and 60 MB.
 * Width is counted in code points: exact for the ids, statuses, decimals and
 * categories of the CLI's own tables; a wide (East Asian) character in a
 * queried value shifts its row's borders, which only `query` can show.
 */
export function textTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = (cell: string | undefined) => (cell === undefined ? 0 : [...cell].length);
  const widths = head.map((cell, c) => rows.reduce((widest, row) => Math.max(widest, width(row[c])), width(cell)));
  const rule = (left: string, middle: string, right: string) => `${left}${widths.map((w) => '─'.repeat(w + 2)).join(middle)}${right}`;
  const line = (cells: readonly string[]) => `│ ${widths.map((w, c) => (cells[c] ?? '') + ' '.repeat(w - width(cells[c]))).join(' │ ')} │`;
  const body = rows.length > 0 ? [rule('├', '┼', '┤'), ...rows.map(line)] : [];
  return [rule('┌', '┬', '┐'), line(head), ...body, rule('└', '┴', '┘')].join('\n');
}
