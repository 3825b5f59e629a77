/** How long an idempotency key names what it started. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** An idempotency key as one caller sent it: keys are scoped by the caller's verified identity. */
export interface IdempotencyKey {
  caller: string;
  key: string;
}

interface Claim<T> {
  /** What the key started: a run id, or a backfill's answer. */
  value: T;
  fingerprint: string;
  expiresAt: number;
}

/**
 * Remembers what each caller's idempotency key started, for 24 hours, on
 * this instance. A key one caller sent never names another caller's run, so a
 * caller cannot squat a key (a spoofed Cloud Scheduler job name and time) to
 * make the real request answer 409. Memory-only: a retry that reaches another
 * instance after a restart or scale-out runs again (which the per-run_date
 * overwrite keeps harmless); a shared store would be needed to rule that out too.
 */
export class IdempotencyStore<T = string> {
  readonly #claims = new Map<string, Claim<T>>();

  constructor(private readonly now: () => Date) {}

  find(key: IdempotencyKey): Claim<T> | undefined {
    this.#forgetExpired();
    return this.#claims.get(scoped(key));
  }

  remember(key: IdempotencyKey, value: T, fingerprint: string): void {
    this.#claims.set(scoped(key), { value, fingerprint, expiresAt: this.now().getTime() + IDEMPOTENCY_TTL_MS });
  }

  #forgetExpired(): void {
    const now = this.now().getTime();
    // Map iteration follows insertion order, which is expiry order: stop at the first live claim.
    for (const [key, claim] of this.#claims) {
      if (claim.expiresAt > now) return;
      this.#claims.delete(key);
    }
  }
}

/** One text per (caller, key); JSON keeps 'a' + 'b:c' apart from 'a:b' + 'c'. */
function scoped(key: IdempotencyKey): string {
  return JSON.stringify([key.caller, key.key]);
}
