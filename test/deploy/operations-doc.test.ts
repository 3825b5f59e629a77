import { readFileSync } from 'node:fs';
import t from 'tap';
import { ERROR_CATEGORIES } from '../../services/errors.js';
import { checkSettingsTable, settingsTableOf } from '../helpers/settings-table.js';

// docs/operations.md's configuration reference and error table against the code, so they cannot drift.
const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');

t.test('every setting of src/settings.ts is documented with its default', async (t) => {
  checkSettingsTable(t, settingsTableOf(doc, '## Configuration reference'));
});

t.test('every error category is explained', async (t) => {
  for (const category of ERROR_CATEGORIES) t.match(doc, new RegExp(`^\\| \`${category}\` \\|`, 'm'), category);
});
