import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import t from 'tap';
import { ConfigValidationError } from '../../../services/errors.js';
import { parseMetricConfig } from '../../../services/pipeline/metric-config.js';
import { MetricConfigSchema } from '../../../services/pipeline/metric-config-schema.js';
import { metric, resultSql } from '../../helpers/fixtures.js';

// A standard JSON Schema validator in strict mode, told only of the editor keyword the schema carries.
const ajv = new Ajv({ strict: true, allErrors: true });
ajv.addKeyword('patternErrorMessage');
const schemaAccepts = ajv.compile(MetricConfigSchema);

function validatorAccepts(config: unknown): boolean {
  try {
    parseMetricConfig(JSON.stringify(config), 'cfg.json');
    return true;
  } catch (error) {
    if (error instanceof ConfigValidationError) return false;
    throw error;
  }
}

const valid = metric('rev_1', resultSql('1'));
const without = (field: string) => Object.fromEntries(Object.entries(valid).filter(([key]) => key !== field));
const REQUIRED = Object.keys(valid);

/** Records the validator accepts: the schema must accept each (it is never stricter). */
const accepted: Record<string, unknown> = {
  'a plain record': valid,
  'blanks around every string': Object.fromEntries(Object.entries(valid).map(([key, value]) => [key, ` ${value}\n`])),
  'metric_type in any case, alias avg': { ...valid, metric_type: ' AVG ' },
  'metric_type Percentage': { ...valid, metric_type: 'Percentage' },
  'metric_id of 100 characters': { ...valid, metric_id: 'a'.repeat(100) },
  'metric_id with one leading underscore': { ...valid, metric_id: '_rev' },
  'metric_name of 255 characters outside the BMP': { ...valid, metric_name: '📈'.repeat(255) },
  'metric_name of 255 characters with blanks around': { ...valid, metric_name: `  ${'n'.repeat(255)}  ` },
  'fields outside the contract': { ...valid, metric_description: 'x', frequency: 'daily', modified_date: '2024-01-01' },
  '$schema as a URL': { ...valid, $schema: 'https://metrics.example/schemas/metric-config.json' },
  '$schema of any value': { ...valid, $schema: 42 },
  'tolerance_pct alone': { ...valid, tolerance_pct: 10 },
  'tolerance_pct tiny and huge': { ...valid, tolerance_pct: 1e-9 },
  'every tolerance field': { ...valid, tolerance_pct: 12.5, tolerance_baseline: ' avg_90 ', tolerance_severity: 'error' },
  'avg_2 and warn': { ...valid, tolerance_pct: 1e21, tolerance_baseline: 'avg_2', tolerance_severity: 'warn' },
  'tolerance_baseline previous': { ...valid, tolerance_pct: 3, tolerance_baseline: 'previous' },
};

/** Each kind of bad record the validator refuses: the schema refuses it too. */
const refused: Record<string, unknown> = {
  'a string instead of a record': 'oops',
  'an array instead of a record': [valid],
  'null instead of a record': null,
  ...Object.fromEntries(REQUIRED.flatMap((field) => [
    [`${field} missing`, without(field)],
    [`${field} null`, { ...valid, [field]: null }],
    [`${field} blank`, { ...valid, [field]: ' \t ' }],
    [`${field} a number`, { ...valid, [field]: 42 }],
  ])),
  'metric_id with a hyphen': { ...valid, metric_id: 'rev-1' },
  'metric_id of 101 characters': { ...valid, metric_id: 'a'.repeat(101) },
  "metric_id starting with '__'": { ...valid, metric_id: '__run__' },
  "metric_id starting with '__' after a blank": { ...valid, metric_id: ' __run__' },
  'metric_name of 256 characters': { ...valid, metric_name: 'n'.repeat(256) },
  'metric_name of 256 characters outside the BMP': { ...valid, metric_name: '📈'.repeat(256) },
  'metric_type outside the list': { ...valid, metric_type: 'median' },
  'metric_type naming an Object property': { ...valid, metric_type: 'constructor' },
  'target_table of two parts': { ...valid, target_table: 'a.b' },
  'target_table with a hyphen in the dataset': { ...valid, target_table: 'proj.my-ds.t' },
  'target_table with an underscore in the project': { ...valid, target_table: 'a_b.c.d' },
  'tolerance_pct 0': { ...valid, tolerance_pct: 0 },
  'tolerance_pct negative': { ...valid, tolerance_pct: -5 },
  'tolerance_pct as text': { ...valid, tolerance_pct: '10' },
  'tolerance_pct null': { ...valid, tolerance_pct: null },
  'tolerance_baseline avg_1': { ...valid, tolerance_pct: 5, tolerance_baseline: 'avg_1' },
  'tolerance_baseline avg_91': { ...valid, tolerance_pct: 5, tolerance_baseline: 'avg_91' },
  'tolerance_baseline in upper case': { ...valid, tolerance_pct: 5, tolerance_baseline: 'AVG_7' },
  'tolerance_baseline a number': { ...valid, tolerance_pct: 5, tolerance_baseline: 7 },
  'tolerance_severity unknown': { ...valid, tolerance_pct: 5, tolerance_severity: 'fatal' },
  'tolerance_baseline without tolerance_pct': { ...valid, tolerance_baseline: 'avg_7' },
  'tolerance_severity without tolerance_pct': { ...valid, tolerance_severity: 'error' },
};

t.test('the schema accepts every example config, as the validator does', async (t) => {
  const examples = readdirSync(new URL('../../../examples/', import.meta.url)).filter((name) => name.endsWith('.json'));
  t.ok(examples.length > 0, 'examples/ holds configs');
  for (const name of examples) {
    const config: unknown = JSON.parse(readFileSync(new URL(`../../../examples/${name}`, import.meta.url), 'utf8'));
    t.ok(validatorAccepts(config), `the validator accepts ${name}`);
    t.ok(schemaAccepts(config), `the schema accepts ${name}: ${ajv.errorsText(schemaAccepts.errors)}`);
  }
});

t.test('the schema accepts every record the validator accepts, as an array and alone', async (t) => {
  for (const [name, record] of Object.entries(accepted)) {
    t.ok(validatorAccepts([record]), `the validator accepts ${name}`);
    t.ok(schemaAccepts([record]), `the schema accepts ${name}: ${ajv.errorsText(schemaAccepts.errors)}`);
    t.ok(schemaAccepts(record), `the schema accepts ${name} alone`);
  }
  t.ok(schemaAccepts([]) && validatorAccepts([]), 'an empty array');
});

t.test('the schema refuses each kind of bad record the validator refuses', async (t) => {
  for (const [name, record] of Object.entries(refused)) {
    t.notOk(validatorAccepts([record]), `the validator refuses ${name}`);
    t.notOk(schemaAccepts([record]), `the schema refuses ${name}`);
  }
});

t.test('a duplicate metric_id is the validator\'s to refuse: JSON Schema cannot express it', async (t) => {
  t.ok(schemaAccepts([valid, valid]));
  t.notOk(validatorAccepts([valid, valid]));
});

t.test('a file that is neither an array nor an object is refused by both', async (t) => {
  for (const value of [42, 'x', true, null]) {
    t.notOk(validatorAccepts(value), `the validator refuses ${JSON.stringify(value)}`);
    t.notOk(schemaAccepts(value), `the schema refuses ${JSON.stringify(value)}`);
  }
});

t.test('editors get a message for each rule and suggestions for metric_type and the tolerance fields', async (t) => {
  const text = JSON.stringify(MetricConfigSchema);
  t.match(text, /"patternErrorMessage":"must be 1 to 100 letters, digits or underscores"/);
  t.match(text, /"examples":\["count","sum","average","ratio","percentage"\]/);
  t.match(text, /"examples":\["warn","error"\]/);
});
