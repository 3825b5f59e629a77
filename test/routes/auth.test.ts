import { createSign, generateKeyPairSync } from 'node:crypto';
import { pino } from 'pino';
import t from 'tap';
import { SettingsError } from '../../src/settings.js';
import { build, quickMetric } from '../helpers/build-app.js';

const TOKEN = 'a-static-token-of-some-length';
const AUDIENCE = 'https://metrics.example.run.app';
const SCHEDULER = 'scheduler@proj-a.iam.gserviceaccount.com';

t.test('token mode: runs need the bearer token, probes do not', async (t) => {
  const { app, writeConfig, runBody } = await build(t, { settings: { METRICS_AUTH_MODE: 'token', METRICS_AUTH_TOKEN: TOKEN } });
  const payload = runBody(writeConfig([quickMetric('m1')]));
  const missing = await app.inject({ method: 'POST', url: '/runs', payload });
  t.equal(missing.statusCode, 401);
  t.equal(missing.headers['www-authenticate'], 'Bearer');
  t.match(missing.json(), { statusCode: 401, code: 'UNAUTHENTICATED' });
  const backfill = await app.inject({ method: 'POST', url: '/backfills', payload: { ...payload, run_date_to: '2024-01-16' } });
  t.equal(backfill.statusCode, 401, 'backfills need it too');
  const wrong = await app.inject({ method: 'GET', url: '/runs', headers: { authorization: 'Bearer not-the-token' } });
  t.equal(wrong.statusCode, 401);
  t.notMatch(wrong.body, /not-the-token/, 'the answer does not echo the credential');
  const right = await app.inject({ method: 'POST', url: '/runs', payload, headers: { authorization: `Bearer ${TOKEN}` } });
  t.equal(right.statusCode, 202);
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
});

t.test('token mode without a long enough token stops start-up', async (t) => {
  await t.rejects(build(t, { settings: { METRICS_AUTH_MODE: 'token', METRICS_AUTH_TOKEN: 'short' } }), SettingsError);
});

/** A Google-style ID token signed with a key of our own; the app is given its public key as the certificate source. */
function signer(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const sign = (claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    const body = { iss: 'https://accounts.google.com', aud: AUDIENCE, sub: '1', email: SCHEDULER, email_verified: true, iat: now, exp: now + 600, ...claims };
    const unsigned = `${encode({ alg: 'RS256', typ: 'JWT', kid })}.${encode(body)}`;
    return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url')}`;
  };
  return { sign, certificates: { [kid]: publicKey.export({ type: 'spki', format: 'pem' }).toString() } };
}

t.test('oidc mode: verifies signature, audience, issuer, expiry and the allowed callers', async (t) => {
  const google = signer('key-1');
  const stranger = signer('key-1');
  const { app } = await build(t, {
    settings: { METRICS_AUTH_MODE: 'oidc', METRICS_OIDC_AUDIENCE: AUDIENCE, METRICS_OIDC_EMAILS: SCHEDULER },
    app: { oidcCertificates: async () => google.certificates },
  });
  const list = (token: string) => app.inject({ method: 'GET', url: '/runs', headers: { authorization: `Bearer ${token}` } });

  t.equal((await list(google.sign({}))).statusCode, 200, 'a valid token of an allowed caller');
  for (const [why, token] of [
    ['another audience', google.sign({ aud: 'https://elsewhere.example' })],
    ['another issuer', google.sign({ iss: 'https://evil.example' })],
    ['expired', google.sign({ iat: 1_000_000, exp: 1_000_600 })],
    ['signed by another key', stranger.sign({})],
  ] as const) {
    const response = await list(token);
    t.equal(response.statusCode, 401, why);
    t.notMatch(response.body, token.split('.')[1] ?? '', `${why}: the answer does not echo the token`);
  }
  const other = await list(google.sign({ email: 'someone@example.com' }));
  t.equal(other.statusCode, 403);
  t.match(other.json(), { code: 'FORBIDDEN' });
});

t.test('oidc mode without an audience stops start-up', async (t) => {
  await t.rejects(build(t, { settings: { METRICS_AUTH_MODE: 'oidc', METRICS_OIDC_EMAILS: SCHEDULER } }), {
    name: 'SettingsError',
    problems: ['METRICS_OIDC_AUDIENCE must be set (the service URL) with METRICS_AUTH_MODE=oidc'],
  });
});

t.test('oidc mode with no allowed emails fails closed: start-up refuses unless any identity is allowed explicitly', async (t) => {
  await t.rejects(build(t, { settings: { METRICS_AUTH_MODE: 'oidc', METRICS_OIDC_AUDIENCE: AUDIENCE } }), {
    name: 'SettingsError',
    problems: [/^METRICS_OIDC_EMAILS must list the caller emails allowed .* set METRICS_OIDC_ALLOW_ANY_IDENTITY=true$/],
  });
});

t.test('oidc mode allowing any identity starts with a warning, and lets any Google-signed identity call', async (t) => {
  const google = signer('key-1');
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
  const { app } = await build(t, {
    settings: { METRICS_AUTH_MODE: 'oidc', METRICS_OIDC_AUDIENCE: AUDIENCE, METRICS_OIDC_ALLOW_ANY_IDENTITY: true },
    app: { oidcCertificates: async () => google.certificates, logger },
  });
  t.match(lines.join(''), /METRICS_OIDC_ALLOW_ANY_IDENTITY=true: any Google-signed identity/);
  const response = await app.inject({ method: 'GET', url: '/runs', headers: { authorization: `Bearer ${google.sign({ email: 'anyone@example.com' })}` } });
  t.equal(response.statusCode, 200);
});

t.test("idempotency keys are scoped by the verified caller: spoofed Cloud Scheduler headers cannot squat the scheduler's run", async (t) => {
  const google = signer('key-1');
  const { app, writeConfig, runBody } = await build(t, {
    settings: { METRICS_AUTH_MODE: 'oidc', METRICS_OIDC_AUDIENCE: AUDIENCE, METRICS_OIDC_EMAILS: `${SCHEDULER},intruder@proj-a.iam.gserviceaccount.com` },
    app: { oidcCertificates: async () => google.certificates },
  });
  const config = writeConfig([quickMetric('m1')]);
  const scheduled = { 'x-cloudscheduler-jobname': 'metrics-nightly', 'x-cloudscheduler-scheduletime': '2024-01-16T02:00:00Z' };
  const as = (email: string) => ({ ...scheduled, authorization: `Bearer ${google.sign({ email })}` });
  const squat = await app.inject({ method: 'POST', url: '/runs', payload: runBody(config, { run_date: '2024-01-01' }), headers: as('intruder@proj-a.iam.gserviceaccount.com') });
  t.equal(squat.statusCode, 202);
  const real = await app.inject({ method: 'POST', url: '/runs', payload: runBody(config), headers: as(SCHEDULER) });
  t.equal(real.statusCode, 202, 'the real scheduled request starts its run instead of answering 409');
  t.not(real.json<{ run_id: string }>().run_id, squat.json<{ run_id: string }>().run_id);
  const retry = await app.inject({ method: 'POST', url: '/runs', payload: runBody(config), headers: as(SCHEDULER) });
  t.equal(retry.statusCode, 200, "the scheduler's own retry still finds its run");
  t.equal(retry.json<{ run_id: string }>().run_id, real.json<{ run_id: string }>().run_id);
});
