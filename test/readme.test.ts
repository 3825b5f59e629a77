import { readFileSync } from 'node:fs';
import t from 'tap';
import { checkSettingsTable, settingsTableOf } from './helpers/settings-table.js';

// README.md's settings table against src/settings.ts, as docs/operations.md's is, so neither can drift.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

t.test("README's settings table lists every setting of src/settings.ts with its default", async (t) => {
  checkSettingsTable(t, settingsTableOf(readme, '## Settings'));
});
