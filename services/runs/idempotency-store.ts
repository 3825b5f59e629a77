/** How long an idempotency key names what it started. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

interface Claim<T> {
  /** What the key started: a run id, or a backfill's answer. */
  value: T;
  fingerprint: string;
  expiresAt: number;
}

/**
 * Remembers what each idempotency key started, for 24 hours, on this
 * instance. Memory-only: a retry that reaches another instance after a
 * restart or scale-out runs again (which the per-run_date overwrite keeps
 * harmless); a shared store would be needed to rule that out too.
 */
export class IdempotencyStore<T = string> {
  readonly #claims = new Map<string, Claim<T>>();

  constructor(private readonly now: () => Date) {}

  find(key: string): Claim<T> | undefined {
    this.#forgetExpired();
    return this.#claims.get(key);
  }

  remember(key: string, value: T, fingerprint: string): void {
    this.#claims.set(key, { value, fingerprint, expiresAt: this.now().getTime() + IDEMPOTENCY_TTL_MS });
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
