import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { quotedValue } from '../services/errors.js';
import type { LocalConfigPolicy } from '../services/pipeline/run-parameters.js';

/**
 * Every setting the service and the CLI read from the environment, with its
 * default. README.md's "Settings" table documents the same list; keep both.
 */
export const SettingsSchema = Type.Object({
  METRICS_WAREHOUSE: Type.Union([Type.Literal('duckdb'), Type.Literal('bigquery')], { default: 'duckdb' }),
  METRICS_DUCKDB_DIR: Type.String({ minLength: 1, default: './data/warehouse' }),
  METRICS_DUCKDB_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 64, default: 8 }),
  METRICS_QUERY_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 180_000 }),
  METRICS_METRIC_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 8 }),
  /** Local config paths; unset means: allowed with DuckDB, refused with BigQuery. */
  METRICS_ALLOW_LOCAL_CONFIG: Type.Optional(Type.Boolean()),
  /** Comma-separated gs:// prefixes a config path must start with; empty allows any. */
  METRICS_GCS_PREFIXES: Type.String({ default: '' }),
  METRICS_CONFIG_MAX_BYTES: Type.Integer({ minimum: 1, default: 10 * 1024 * 1024 }),
  GOOGLE_CLOUD_PROJECT: Type.Optional(Type.String({ minLength: 1 })),
  METRICS_BIGQUERY_LOCATION: Type.String({ minLength: 1, default: 'US' }),
  /** BigQuery jobs (queries and writes) one instance runs at once. */
  METRICS_BIGQUERY_MAX_JOBS: Type.Integer({ minimum: 1, maximum: 100, default: 16 }),
  /** Emulators (the usual Google variables): the clients talk to these URLs without credentials. */
  BIGQUERY_EMULATOR_HOST: Type.Optional(Type.String({ pattern: '^https?://', expected: 'an http:// or https:// URL' })),
  STORAGE_EMULATOR_HOST: Type.Optional(Type.String({ pattern: '^https?://', expected: 'an http:// or https:// URL' })),
  METRICS_RETRY_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 20, default: 5 }),
  METRICS_RETRY_BASE_DELAY_MS: Type.Integer({ minimum: 1, default: 500 }),
  METRICS_RETRY_MAX_DELAY_MS: Type.Integer({ minimum: 1, default: 30_000 }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  HOST: Type.String({ default: '0.0.0.0' }),
  /** Runs executing at once on one instance; more wait in the queue. */
  METRICS_RUNS_IN_FLIGHT: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
  /** Accepted runs waiting for a slot; past this POST /runs answers 429. */
  METRICS_RUN_QUEUE_SIZE: Type.Integer({ minimum: 0, maximum: 10_000, default: 20 }),
  /** Longest a `POST /runs?wait=true` request is held before it answers 202 with the run still in flight. */
  METRICS_WAIT_MAX_MS: Type.Integer({ minimum: 1, default: 600_000 }),
  /** On SIGTERM, how long running runs may go on before they are interrupted; fits Cloud Run's 10 s window. */
  METRICS_SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 6_000 }),
  /** The recon table GET /runs reads when the request names none. */
  METRICS_DEFAULT_RECON_TABLE: Type.Optional(Type.String({ minLength: 1 })),
  METRICS_AUTH_MODE: Type.Union([Type.Literal('none'), Type.Literal('token'), Type.Literal('oidc')], { default: 'none' }),
  /** The static bearer token of METRICS_AUTH_MODE=token (length checked where it is used, so no error message echoes it). */
  METRICS_AUTH_TOKEN: Type.Optional(Type.String()),
  /** The audience Google ID tokens must carry (METRICS_AUTH_MODE=oidc): the service URL Cloud Scheduler calls. */
  METRICS_OIDC_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  /** Comma-separated service-account emails allowed to call (METRICS_AUTH_MODE=oidc); empty allows any verified Google identity. */
  METRICS_OIDC_EMAILS: Type.String({ default: '' }),
  /** Set by Cloud Run; names the service and revision in logs (Error Reporting's serviceContext). */
  K_SERVICE: Type.Optional(Type.String({ minLength: 1 })),
  K_REVISION: Type.Optional(Type.String({ minLength: 1 })),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  /** The most dates one backfill (run_date to run_date_to) covers: a year, leap years included. */
  METRICS_BACKFILL_MAX_DATES: Type.Integer({ minimum: 1, maximum: 10_000, default: 366 }),
  /** Embedded mode: writes may create `<project>.duckdb` for a project that has none; off, so run parameters never create databases. */
  METRICS_DUCKDB_CREATE_PROJECTS: Type.Boolean({ default: false }),
  /** The one directory the HTTP service reads local configs from (symlinks resolved); the CLI reads any path. */
  METRICS_LOCAL_CONFIG_DIR: Type.String({ minLength: 1, default: './examples' }),
  /** METRICS_AUTH_MODE=oidc with no METRICS_OIDC_EMAILS lets any Google-signed identity call: only when said explicitly. */
  METRICS_OIDC_ALLOW_ANY_IDENTITY: Type.Boolean({ default: false }),
  /** The most bytes one metric's query may bill on BigQuery (its jobs' maximumBytesBilled); unset: no cap. */
  METRICS_MAX_BYTES_BILLED: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
});

export type Settings = Static<typeof SettingsSchema>;

/** Settings that stop start-up: one line per problem, each naming the variable and what it allows. */
export class SettingsError extends Error {
  override name = 'SettingsError';
  constructor(readonly problems: string[]) {
    super(`Invalid settings: ${problems.join('; ')}`);
  }
}

/** Reads settings once at start-up; bad values stop start-up, every one named with what it allows. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(SettingsSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  // Convert would read '1.5' and '1e3' as 1: whole numbers must be written as digits.
  const notWhole = Object.keys(raw).filter((name) => schemaOf(name).type === 'integer' && !/^\s*[+-]?\d+\s*$/.test(String(env[name])));
  const converted = Value.Convert(SettingsSchema, Value.Default(SettingsSchema, raw));
  const invalid = new Set([...notWhole, ...[...Value.Errors(SettingsSchema, converted)].map((error) => error.path.slice(1))]);
  const problems = Object.keys(SettingsSchema.properties)
    .filter((name) => invalid.has(name))
    .map((name) => `${name} must be ${expectedForm(name)}, got ${quotedValue(env[name])}`);
  if (problems.length === 0) problems.push(...combinationProblems(converted as Settings));
  if (problems.length > 0) throw new SettingsError(problems);
  return converted as Settings;
}

/** What a setting allows, in words, from its schema: "one of duckdb, bigquery", "a whole number from 1 to 64". */
function expectedForm(name: string): string {
  const schema = schemaOf(name);
  if (typeof schema.expected === 'string') return schema.expected;
  if (Array.isArray(schema.anyOf)) return `one of ${(schema.anyOf as TSchema[]).map((option) => String(option.const)).join(', ')}`;
  if (schema.type === 'integer') {
    // Every whole-number setting has a minimum; some a maximum too.
    const { minimum, maximum } = schema as TSchema & { minimum: number; maximum?: number };
    return maximum === undefined ? `a whole number of at least ${minimum}` : `a whole number from ${minimum} to ${maximum}`;
  }
  // Empty text counts as unset, so only booleans and patterned text are left to break.
  return schema.type === 'boolean' ? 'true or false' : `text matching ${String(schema.pattern)}`;
}

function schemaOf(name: string): TSchema & Record<string, unknown> {
  return SettingsSchema.properties[name as keyof Settings];
}

/** Settings valid one by one that do not work together. */
function combinationProblems(settings: Settings): string[] {
  const problems: string[] = [];
  if (settings.METRICS_WAREHOUSE === 'bigquery' && settings.BIGQUERY_EMULATOR_HOST !== undefined && settings.GOOGLE_CLOUD_PROJECT === undefined) {
    problems.push('GOOGLE_CLOUD_PROJECT must be set when BIGQUERY_EMULATOR_HOST is: an emulator has no credentials to tell the project');
  }
  return problems;
}

/**
 * Which config paths runs may name: local paths by default only on the
 * embedded warehouse, and gs:// paths under the configured prefixes.
 */
export function localConfigPolicy(settings: Settings): LocalConfigPolicy {
  return {
    allowLocal: settings.METRICS_ALLOW_LOCAL_CONFIG ?? settings.METRICS_WAREHOUSE === 'duckdb',
    gcsPrefixes: settings.METRICS_GCS_PREFIXES.split(',').map((prefix) => prefix.trim()).filter((prefix) => prefix !== ''),
  };
}
