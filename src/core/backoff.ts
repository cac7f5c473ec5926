// When to retry a failed job: exponential with jitter. The first three retries land within 15 s
// (1 s, 3 s, 9 s at most), then the delay keeps tripling up to a cap, and a job stops retrying once
// a day has passed since it was first enqueued (SPEC §11).

export interface BackoffPolicy {
  /** delay before the first retry, in ms */
  baseMs: number;
  /** each retry waits this many times longer than the one before */
  factor: number;
  /** no single wait is longer than this */
  capMs: number;
  /** no retry is scheduled later than this after the job was created */
  giveUpAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseMs: 1_000,
  factor: 3,
  capMs: 60 * 60 * 1000,
  giveUpAfterMs: 24 * 60 * 60 * 1000,
};

/**
 * The wait before retry number `retry` (1 for the first retry). Jitter takes up to a fifth off, so
 * instances that failed together do not all come back at the same instant, and the documented
 * upper bounds still hold.
 */
export function retryDelayMs(retry: number, random: () => number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, retry - 1);
  const full = Math.min(policy.capMs, policy.baseMs * policy.factor ** exponent);
  return Math.round(full * (0.8 + 0.2 * random()));
}

/** True when a retry at `retryAt` would fall outside the job's lifetime. */
export function pastGiveUp(createdAt: Date, retryAt: Date, policy: BackoffPolicy = DEFAULT_BACKOFF): boolean {
  return retryAt.getTime() - createdAt.getTime() > policy.giveUpAfterMs;
}
