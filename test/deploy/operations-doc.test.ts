import { readFileSync } from 'node:fs';
import t from 'tap';
import { ERROR_CATEGORIES } from '../../services/errors.js';
import { SettingsSchema } from '../../src/settings.js';

// docs/operations.md's configuration reference and error table against the code, so they cannot drift.
const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');

/** The reference table's rows: variable name(s) to the default column. */
const reference = doc.slice(doc.indexOf('## Configuration reference'), doc.indexOf('\n## ', doc.indexOf('## Configuration reference') + 1));
const rows = new Map<string, string>();
for (const line of reference.split('\n')) {
  const cells = line.split('|').map((cell) => cell.trim());
  if (cells.length < 4 || !cells[1]?.startsWith('`')) continue;
  for (const name of (cells[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)) rows.set(name[1] as string, cells[2] ?? '');
}

t.test('every setting of src/settings.ts is documented with its default', async (t) => {
  for (const [name, schema] of Object.entries(SettingsSchema.properties)) {
    const documented = rows.get(name);
    if (documented === undefined) {
      t.fail(`${name} is missing from the configuration reference`);
      continue;
    }
    const fallback = (schema as { default?: unknown }).default;
    if (name === 'K_SERVICE' || name === 'K_REVISION') t.equal(documented, 'set by Cloud Run', name);
    else if (fallback === undefined) t.equal(documented, 'unset', `${name} has no default`);
    else if (fallback === '') t.equal(documented, 'empty', `${name} defaults to empty`);
    else t.equal(documented, `\`${JSON.stringify(fallback).replace(/^"|"$/g, '')}\``, `${name} defaults to ${JSON.stringify(fallback)}`);
  }
  for (const name of rows.keys()) t.ok(name in SettingsSchema.properties, `${name} is documented and is a setting`);
});

t.test('every error category is explained', async (t) => {
  for (const category of ERROR_CATEGORIES) t.match(doc, new RegExp(`^\\| \`${category}\` \\|`, 'm'), category);
});
