/**
 * Retries with exponential backoff and full jitter, bounded in count and in time. Only failures
 * marked retryable (`details.retryable`) are retried; anything else is thrown at once.
 */
import { RegistryError } from '../../../src/errors.js';

export interface RetryPolicy {
  /** Tries in all, the first included (default 5); 1 turns retrying off. */
  readonly attempts: number;
  /** The first backoff's upper bound, in ms (default 250); each retry doubles it. */
  readonly baseDelayMs: number;
  /** No single wait is longer than this, in ms (default 8,000), a Retry-After included. */
  readonly maxDelayMs: number;
  /** No retry starts after this much time since the first try, in ms (default 120,000). */
  readonly maxElapsedMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ attempts: 5, baseDelayMs: 250, maxDelayMs: 8000, maxElapsedMs: 120_000 });

export function isRetryable(err: unknown): boolean {
  return err instanceof RegistryError && err.details['retryable'] === true;
}

/** The wait before retry number `retry` (1 for the first retry): random in [0, min(max, base·2^(retry-1))]. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retry - 1, 30));
  return Math.floor(random() * ceiling);
}

export interface RetryHooks {
  /** Called before each wait (tests, progress). */
  onRetry?: (err: RegistryError, retry: number, delayMs: number) => void;
  /** A Retry-After the failure asked for, in ms. */
  retryAfterMs?: (err: RegistryError) => number | undefined;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it resolves, throws something not retryable, or the policy is spent; the
 * last error is thrown with `details.attempts` saying how many tries were made.
 */
export async function withRetry<T>(policy: RetryPolicy, attempt: (tryNumber: number) => Promise<T>, hooks: RetryHooks = {}): Promise<T> {
  const now = hooks.now ?? Date.now;
  const sleep = hooks.sleep ?? defaultSleep;
  const started = now();
  for (let tryNumber = 1; ; tryNumber++) {
    try {
      return await attempt(tryNumber);
    } catch (err) {
      if (!isRetryable(err)) throw err;
      const e = err as RegistryError;
      e.details['attempts'] = tryNumber;
      if (tryNumber >= policy.attempts) throw e;
      const asked = hooks.retryAfterMs?.(e);
      const delay = Math.min(policy.maxDelayMs, Math.max(asked ?? 0, backoffDelay(policy, tryNumber)));
      if (now() - started + delay > policy.maxElapsedMs) throw e;
      hooks.onRetry?.(e, tryNumber, delay);
      await sleep(delay);
    }
  }
}

/** Checks a policy given by a host; returns it complete. */
export function resolveRetryPolicy(given: Partial<RetryPolicy> | undefined, option: (name: string, why: string) => Error): RetryPolicy {
  const policy = { ...DEFAULT_RETRY, ...(given ?? {}) };
  for (const key of ['attempts', 'baseDelayMs', 'maxDelayMs', 'maxElapsedMs'] as const) {
    const v = policy[key];
    if (!Number.isSafeInteger(v) || v < (key === 'attempts' ? 1 : 0)) throw option(`retry.${key}`, `must be an integer of at least ${key === 'attempts' ? 1 : 0}, got ${String(v)}`);
  }
  return Object.freeze(policy);
}
