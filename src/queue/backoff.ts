// How long a job waits before its next attempt. Exponential, so a provider that is down is not hammered, with
// "equal jitter" (half the delay fixed, half random) so jobs that failed together do not retry together, yet
// every retry still waits at least half its nominal delay. A provider's Retry-After wins when it is longer.

export interface BackoffPolicy {
  /** Nominal delay before the first retry; each further retry doubles it. */
  baseMs: number;
  /** No nominal delay exceeds this. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, capMs: 10 * 60_000 };

/** The nominal delay before retry number `retry` (1 for the first retry). */
export function nominalDelayMs(policy: BackoffPolicy, retry: number): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
}

/** The delay to use: between half and all of the nominal delay, or the provider's Retry-After if longer. */
export function retryDelayMs(policy: BackoffPolicy, retry: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const nominal = nominalDelayMs(policy, retry);
  const jittered = Math.round(nominal / 2 + (random() * nominal) / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/**
 * The same formula in SQL, for jobs recovered from an expired lease inside the claim statement (where the
 * retry number is the row's `retryCount` + 1). Parameters: $base and $cap in milliseconds.
 */
export function sqlRetryDelay(retryCountColumn: string, baseParam: string, capParam: string): string {
  return `(least(${capParam}::float8, ${baseParam}::float8 * power(2, ${retryCountColumn})) * (0.5 + random() / 2) * interval '1 millisecond')`;
}
