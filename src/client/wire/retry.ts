/**
 * kafkajs's `retry` options and its backoff: the n-th retry waits about
 * `initialRetryTime · multiplier^n`, randomised by ±`factor` and capped at `maxRetryTime`, and at most
 * `retries` retries are made. Only errors marked `retriable` are retried; the last one is thrown as
 * it came, so callers branch on its code whether or not retries ran out.
 *
 * @example
 * const retrier = createRetrier({ retries: 3, initialRetryTime: 100 });
 * const metadata = await retrier(async (attempt) => fetchMetadata());
 */
import { TributaryError } from '../../errors.ts';

/** kafkajs's retry options, with its defaults. */
export interface RetryOptions {
  /** Longest wait between two tries. Default 30000 ms. */
  maxRetryTime?: number;
  /** First wait. Default 300 ms. */
  initialRetryTime?: number;
  /** Randomisation of each wait, ±factor of it. Default 0.2. */
  factor?: number;
  /** Growth of the wait from one retry to the next. Default 2. */
  multiplier?: number;
  /** Retries after the first try. Default 5. */
  retries?: number;
}

export const RETRY_DEFAULTS: Required<RetryOptions> = Object.freeze({
  maxRetryTime: 30_000,
  initialRetryTime: 300,
  factor: 0.2,
  multiplier: 2,
  retries: 5,
});

/** What the retrier needs from the outside world: a way to wait, and randomness (tests fix both). */
export interface RetryEnvironment {
  sleep(ms: number): Promise<void>;
  random(): number;
}

const REAL: RetryEnvironment = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Runs `fn(attempt)` until it resolves, retrying retriable failures with kafkajs's backoff. */
export type Retrier = <T>(fn: (attempt: number) => Promise<T>) => Promise<T>;

/** The waits kafkajs would use, for tests and logs: `[first, second, …]`. */
export function retryTimes(options: RetryOptions = {}, random: () => number = Math.random): number[] {
  const o = { ...RETRY_DEFAULTS, ...options };
  const out: number[] = [];
  let wait = jitter(o.factor, o.initialRetryTime, random);
  for (let i = 0; i < o.retries; i++) {
    out.push(wait);
    wait = Math.min(jitter(o.factor, wait, random) * o.multiplier, o.maxRetryTime);
  }
  return out;
}

export function createRetrier(options: RetryOptions = {}, env: RetryEnvironment = REAL): Retrier {
  const o = { ...RETRY_DEFAULTS, ...options };
  return async <T>(fn: (attempt: number) => Promise<T>): Promise<T> => {
    let wait = jitter(o.factor, o.initialRetryTime, env.random);
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(attempt);
      } catch (err) {
        if (!isRetriable(err) || attempt >= o.retries) throw err;
        await env.sleep(wait);
        wait = Math.min(jitter(o.factor, wait, env.random) * o.multiplier, o.maxRetryTime);
      }
    }
  };
}

/** Retriable Tributary errors are retried; programmer mistakes and everything else are not. */
export function isRetriable(err: unknown): boolean {
  return err instanceof TributaryError && err.retriable;
}

function jitter(factor: number, time: number, random: () => number): number {
  const delta = factor * time;
  return Math.ceil(time - delta + random() * 2 * delta);
}
