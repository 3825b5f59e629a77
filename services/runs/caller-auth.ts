import { createHash, timingSafeEqual } from 'node:crypto';
import type { OAuth2Client, TokenPayload } from 'google-auth-library';
import { ForbiddenError, UnauthenticatedError } from './run-errors.js';

/** Key id to PEM certificate or public key: Google's published signing keys, or a test's own. */
export type SigningCertificates = Record<string, string>;

/** Who may call: anyone (local), holders of one static token, or Google-signed ID tokens (Cloud Scheduler's OIDC). */
export type CallerAuthPolicy =
  | { mode: 'none' }
  | { mode: 'token'; token: string }
  | {
      mode: 'oidc';
      /** The audience tokens must carry: the URL the scheduler calls. */
      audience: string;
      /** Verified emails allowed to call; empty allows any verified Google identity. */
      emails: string[];
      /** Where signing keys come from; Google's published certificates (cached by their max-age) when absent. */
      certificates?: () => Promise<SigningCertificates>;
    };

/**
 * Checks the Authorization header of a call; resolves with the caller's
 * verified identity when it may call. Idempotency keys are scoped by it, so
 * one caller cannot claim another's key. Without authentication every caller
 * is the same anonymous one; every holder of the static token is one caller.
 */
export type CallerVerifier = (authorization: string | undefined) => Promise<string>;

const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

export function createCallerVerifier(policy: CallerAuthPolicy): CallerVerifier {
  switch (policy.mode) {
    case 'none':
      return () => Promise.resolve('anonymous');
    case 'token': {
      const expected = digest(policy.token);
      // A missing or bad header rejects rather than throws, as with the other verifiers.
      return (authorization) =>
        Promise.resolve().then(() => {
          // Comparing digests keeps the comparison constant-time whatever the length given.
          if (!timingSafeEqual(digest(bearerToken(authorization)), expected)) throw new UnauthenticatedError('The bearer token is not valid');
          return 'token';
        });
    }
    case 'oidc':
      return googleIdTokenVerifier(policy);
  }
}

function googleIdTokenVerifier(policy: Extract<CallerAuthPolicy, { mode: 'oidc' }>): CallerVerifier {
  // Loaded at the first call: only this mode needs the library, and it is a start-up cost for every other.
  let loaded: Promise<OAuth2Client> | undefined;
  const oauthClient = () => (loaded ??= import('google-auth-library').then(({ OAuth2Client }) => new OAuth2Client()));
  const certificates = policy.certificates ?? (async () => (await (await oauthClient()).getFederatedSignonCertsAsync()).certs as SigningCertificates);
  return async (authorization) => {
    const token = bearerToken(authorization);
    const client = await oauthClient();
    let payload: TokenPayload | undefined;
    try {
      payload = (await client.verifySignedJwtWithCertsAsync(token, await certificates(), policy.audience, GOOGLE_ISSUERS)).getPayload();
    } catch (error) {
      // The library's messages quote the token after a colon; keep only the reason before it.
      const reason = error instanceof Error ? (error.message.split(':')[0] ?? '') : '';
      throw new UnauthenticatedError(`The ID token did not verify${reason ? `: ${reason}` : ''}`);
    }
    const email = payload?.email_verified === true ? payload.email : undefined;
    if (policy.emails.length > 0 && (email === undefined || !policy.emails.includes(email))) {
      throw new ForbiddenError('This identity may not call the service');
    }
    // Google's subject id is stable and always signed, for identities without a verified email.
    return email !== undefined ? `oidc:${email}` : `oidc-sub:${payload?.sub ?? ''}`;
  };
}

function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new UnauthenticatedError('An Authorization: Bearer token is required');
  return match[1];
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
