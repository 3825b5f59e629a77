import type { Test } from 'tap';
import { SettingsSchema } from '../../src/settings.js';

/**
 * The settings table of a markdown document, under `heading`: each variable
 * (backticked, `A`, `B` for several in one row) to its default cell.
 */
export function settingsTableOf(doc: string, heading: string): Map<string, string> {
  const rows = new Map<string, string>();
  const start = doc.indexOf(heading);
  if (start === -1) return rows;
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end === -1 ? undefined : end);
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 4 || !cells[1]?.startsWith('`')) continue;
    for (const name of (cells[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)) rows.set(name[1] as string, cells[2] ?? '');
  }
  return rows;
}

/**
 * Every setting of src/settings.ts is in the table with its default
 * (`value`, unset, empty, or set by Cloud Run), and the table names nothing else.
 */
export function checkSettingsTable(t: Test, rows: Map<string, string>): void {
  for (const [name, schema] of Object.entries(SettingsSchema.properties)) {
    const documented = rows.get(name);
    if (documented === undefined) {
      t.fail(`${name} is missing from the settings table`);
      continue;
    }
    const fallback = (schema as { default?: unknown }).default;
    if (name === 'K_SERVICE' || name === 'K_REVISION') t.equal(documented, 'set by Cloud Run', name);
    else if (fallback === undefined) t.equal(documented, 'unset', `${name} has no default`);
    else if (fallback === '') t.equal(documented, 'empty', `${name} defaults to empty`);
    else t.equal(documented, `\`${JSON.stringify(fallback).replace(/^"|"$/g, '')}\``, `${name} defaults to ${JSON.stringify(fallback)}`);
  }
  for (const name of rows.keys()) t.ok(name in SettingsSchema.properties, `${name} is documented and is a setting`);
}
