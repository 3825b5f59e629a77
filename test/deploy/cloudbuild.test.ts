import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { SettingsSchema } from '../../src/settings.js';

// cloudbuild.yaml read as Cloud Build reads it; what only a real build proves is listed in docs/operations.md.

interface Step {
  id?: string;
  name: string;
  entrypoint?: string;
  args?: string[];
}
interface CloudBuild {
  steps: Step[];
  substitutions: Record<string, string>;
  images?: string[];
}

const build = parse(readFileSync(new URL('../../cloudbuild.yaml', import.meta.url), 'utf8')) as CloudBuild;
const stepIndex = (id: string) => build.steps.findIndex((step) => step.id === id);
const step = (id: string) => build.steps[stepIndex(id)] as Step;

/** The deploy step's `--flag=value` arguments (a bare flag maps to ''). */
function flagsOf(args: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (const arg of args.filter((a) => a.startsWith('--'))) {
    const eq = arg.indexOf('=');
    flags.set(eq < 0 ? arg : arg.slice(0, eq), eq < 0 ? '' : arg.slice(eq + 1).trim());
  }
  return flags;
}

/** gcloud's --set-env-vars value, with its `^D^` alternate-delimiter syntax (gcloud topic escaping). */
function envVarsOf(value: string): Map<string, string> {
  const custom = /^\^(.+?)\^/.exec(value);
  const delimiter = custom ? (custom[1] as string) : ',';
  const body = custom ? value.slice(custom[0].length) : value;
  return new Map(body.split(delimiter).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

/** ${_NAME} replaced by the file's default substitutions, as a build with no overrides does. */
function substituted(text: string): string {
  return text.replace(/\$\{(_[A-Z_]+)\}/g, (whole, name: string) => build.substitutions[name] ?? whole);
}

const deploy = step('deploy');
const flags = flagsOf(deploy.args ?? []);
const env = envVarsOf(flags.get('--set-env-vars') ?? '');

t.test('install and test run before the image is built', async (t) => {
  t.same(step('install').args?.slice(0, 1), ['ci'], 'npm ci');
  t.equal(step('install').entrypoint, 'npm');
  t.same(step('test').args, ['test'], 'npm test');
  t.equal(step('test').entrypoint, 'npm');
  t.match(step('test').name, /^node:22/, 'tests run on the Node version of the image');
  t.ok(stepIndex('test') < stepIndex('build-image'), 'a failing test stops the build before any image exists');
  t.ok(stepIndex('build-image') < stepIndex('push-image') && stepIndex('push-image') < stepIndex('deploy'), 'build, push, deploy in order');
});

t.test('the image pushed to Artifact Registry is the image deployed', async (t) => {
  const tag = step('build-image').args?.find((arg) => arg.startsWith('--tag='))?.slice('--tag='.length);
  t.match(tag, /^\$\{_REGION\}-docker\.pkg\.dev\/\$\{PROJECT_ID\}\/\$\{_REPOSITORY\}\/\$\{_SERVICE\}:\$\{BUILD_ID\}$/, 'Artifact Registry path, tagged per build');
  t.same(step('push-image').args, ['push', tag]);
  t.equal(flags.get('--image'), tag);
  t.same(build.images, [tag], 'recorded in the build results');
});

t.test('the deploy step carries the settings the service needs on Cloud Run', async (t) => {
  t.equal(deploy.entrypoint, 'gcloud');
  t.same(deploy.args?.slice(0, 3), ['run', 'deploy', '${_SERVICE}']);
  t.equal(flags.get('--no-cpu-throttling'), '', 'instance-based billing: runs go on after POST /runs answered 202');
  t.equal(flags.get('--timeout'), '3600', 'requests up to 60 min, for wait mode');
  t.ok(Number(substituted(flags.get('--concurrency') ?? '')) >= 1, 'bounded concurrency');
  t.ok(Number(substituted(flags.get('--max-instances') ?? '')) >= 1, 'bounded instances');
  t.match(flags.get('--service-account'), /^\$\{_SERVICE_ACCOUNT\}@\$\{PROJECT_ID\}\.iam\.gserviceaccount\.com$/, 'a dedicated service account');
  t.equal(flags.get('--no-allow-unauthenticated'), '', 'Cloud Run IAM checks every caller (roles/run.invoker)');
  t.notOk(flags.has('--allow-unauthenticated'));
  t.equal(flags.get('--region'), '${_REGION}');
  for (const name of ['_REGION', '_SERVICE', '_REPOSITORY', '_SERVICE_ACCOUNT', '_RECON_TABLE', '_GCS_PREFIXES']) {
    t.ok(name in build.substitutions, `substitution ${name}`);
  }
});

/** gcloud's --startup-probe / --liveness-probe value: comma-separated KEY=VALUE pairs (httpGet.path=/x,periodSeconds=10). */
function probeOf(value: string | undefined): Map<string, string> {
  return new Map((value ?? '').split(',').filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

t.test('Cloud Run probes: startup on /readyz (the warehouse answers), liveness on /healthz (the process answers)', async (t) => {
  const startup = probeOf(flags.get('--startup-probe'));
  t.equal(startup.get('httpGet.path'), '/readyz');
  const period = Number(startup.get('periodSeconds'));
  const timeout = Number(startup.get('timeoutSeconds'));
  t.ok(timeout > 5 && timeout <= period, "the probe waits longer than the readiness ping's own 5 s limit, and no longer than its period");
  t.ok(period * Number(startup.get('failureThreshold')) <= 240, "Cloud Run's limit: failureThreshold x periodSeconds at most 240 s");
  const liveness = probeOf(flags.get('--liveness-probe'));
  t.equal(liveness.get('httpGet.path'), '/healthz', 'liveness does not depend on the warehouse: a BigQuery outage must not restart instances');
  t.ok(Number(liveness.get('timeoutSeconds')) <= Number(liveness.get('periodSeconds')));
  t.ok(Number(liveness.get('failureThreshold')) >= 1);
});

t.test('the environment: BigQuery, its project and location, recon table, config prefixes, auth, wait bound', async (t) => {
  t.equal(env.get('METRICS_WAREHOUSE'), 'bigquery');
  t.equal(env.get('GOOGLE_CLOUD_PROJECT'), '${PROJECT_ID}');
  t.equal(env.get('METRICS_BIGQUERY_LOCATION'), '${_BQ_LOCATION}');
  t.equal(env.get('METRICS_DEFAULT_RECON_TABLE'), '${_RECON_TABLE}');
  t.equal(env.get('METRICS_GCS_PREFIXES'), '${_GCS_PREFIXES}');
  t.equal(env.get('METRICS_OIDC_AUDIENCE'), 'https://${_SERVICE}-${PROJECT_NUMBER}.${_REGION}.run.app', "the service's deterministic URL");
  t.equal(env.get('METRICS_OIDC_EMAILS'), '${_INVOKER_EMAILS}');
  for (const name of env.keys()) t.ok(name in SettingsSchema.properties, `${name} is a setting the service reads`);

  // Behind --no-allow-unauthenticated Cloud Run has verified the ID token and hands the container
  // the token with its signature replaced (SIGNATURE_REMOVED_BY_GOOGLE): the service's own oidc
  // check would refuse every call. IAM is the gate until the service trusts Cloud Run's check.
  t.equal(substituted(env.get('METRICS_AUTH_MODE') ?? ''), 'none', 'METRICS_AUTH_MODE defaults to none behind the IAM gate');
  t.equal(flags.get('--no-allow-unauthenticated'), '', '... which is only safe because IAM checks every caller');

  const waitMaxMs = Number(substituted(env.get('METRICS_WAIT_MAX_MS') ?? ''));
  t.ok(waitMaxMs > 0 && waitMaxMs < Number(flags.get('--timeout')) * 1000, 'a held wait=true request answers before Cloud Run times it out');
  t.ok(waitMaxMs < 30 * 60_000, "... and before Cloud Scheduler's 30 min attempt deadline");
  const grace = Number(env.get('METRICS_SHUTDOWN_GRACE_MS'));
  t.ok(grace + 3_000 <= 10_000, "shutdown grace plus recording margin fit Cloud Run's 10 s after SIGTERM");
});
