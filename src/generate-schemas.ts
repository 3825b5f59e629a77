import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openApiText } from '../routes/openapi.js';
import { metricConfigSchemaText } from '../routes/schemas.js';
import { createConfigSource, createWarehouse } from './adapters.js';
import { buildApp } from './app.js';
import { loadSettings } from './settings.js';

/**
 * Writes the committed generated documents (`npm run openapi`):
 * openapi/openapi.json from the route schemas of the real app, and
 * schemas/metric-config.json from the config's TypeBox definitions. Default
 * settings, not the environment's: the committed documents must not depend
 * on who generates them.
 */
const directory = mkdtempSync(join(tmpdir(), 'metrics-openapi-'));
const settings = { ...loadSettings({}), METRICS_DUCKDB_DIR: directory };
const logger = pino({ level: 'silent' });
const warehouse = await createWarehouse(settings, logger);
try {
  const app = await buildApp({ settings, warehouse, configSource: createConfigSource(settings), logger });
  await app.ready();
  writeFileSync(join(process.cwd(), 'openapi', 'openapi.json'), openApiText(app));
  await app.close();
} finally {
  await warehouse.close();
  rmSync(directory, { recursive: true, force: true });
}
writeFileSync(join(process.cwd(), 'schemas', 'metric-config.json'), metricConfigSchemaText());
