import { DefaultRateLimiter, MAXIMUM_RETRY_DELAY, Retry, StandardRetryStrategy } from "@smithy/core/retry";
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryBackoffStrategy, StandardRetryToken } from "@smithy/types";
import type { Clock } from "../core/clock.js";

/** Input of {@link clockRetryStrategy}. */
export interface ClockRetryOptions {
  readonly mode: "standard" | "adaptive";
  /** Attempts per call, including the first. */
  readonly maxAttempts: number;
  /** Every retry delay and rate-limiter wait is slept on it, and the rate limiter reads its time. */
  readonly clock: Clock;
  /** The jitter's source (default Math.random, as the SDK's). */
  readonly random?: () => number;
}

/** A retry strategy as the SDK's middleware uses it, with the mode it reports. */
export type ClockRetryStrategy = RetryStrategyV2 & { readonly mode: string };

/**
 * The SDK's own retry strategy (same attempts, same retry quota, same backoff, the same adaptive
 * client-side rate limiter) with its waits on `clock` instead of the SDK's timers, so that a test
 * on a virtual clock retries without sleeping. The SDK decides everything: the backoff it asks for
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html: `b * min(x * 2^i,
 * 20 s)`, x the base for the error's kind) is recorded, 0 handed back to the SDK, and the recorded
 * delay slept on the clock; adaptive mode composes the SDK's token bucket as its
 * AdaptiveRetryStrategy does (update the rate, back off, then take a send token).
 */
export function clockRetryStrategy(options: ClockRetryOptions): ClockRetryStrategy {
  const { clock } = options;
  const backoff = recordingBackoff(options.random ?? Math.random);
  const standard = new StandardRetryStrategy({ maxAttempts: options.maxAttempts, baseDelay: Retry.delay(), backoff });
  const limiter = options.mode === "adaptive" ? clockRateLimiter(clock) : undefined;
  return {
    mode: options.mode,
    async acquireInitialRetryToken(scope: string) {
      const token = await standard.acquireInitialRetryToken(scope);
      await limiter?.getSendToken();
      return token;
    },
    async refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo) {
      limiter?.updateClientSendingRate(errorInfo);
      // A Retry-After hint is applied here, on the clock, as the SDK applies it (at least the
      // backoff, at most 5 s more); the SDK itself sees no hint and so sleeps nothing.
      const { retryAfterHint, ...rest } = errorInfo;
      const next = await standard.refreshRetryTokenForRetry(token, rest);
      const delay = retryAfterHint instanceof Date ? Math.max(backoff.last, Math.min(retryAfterHint.getTime() - clock.now(), backoff.last + 5_000)) : backoff.last;
      const log = (next as { $retryLog?: { acquisitionDelay: number } }).$retryLog;
      if (log) log.acquisitionDelay = delay;
      if (delay > 0) await clock.sleep(delay);
      await limiter?.getSendToken();
      return next;
    },
    recordSuccess(token: StandardRetryToken) {
      limiter?.updateClientSendingRate({});
      standard.recordSuccess(token);
    },
  };
}

/** The SDK's exponential backoff with full jitter; remembers the delay it computed and returns 0. */
function recordingBackoff(random: () => number): StandardRetryBackoffStrategy & { readonly last: number } {
  let base = Retry.delay();
  let last = 0;
  return {
    get last() {
      return last;
    },
    setDelayBase(delay: number) {
      base = delay;
    },
    computeNextBackoffDelay(attempt: number) {
      last = Math.floor(random() * Math.min(base * 2 ** attempt, MAXIMUM_RETRY_DELAY));
      return 0;
    },
  };
}

/** The parts of the SDK's DefaultRateLimiter (a CUBIC token bucket) that read time or sleep. */
interface RateLimiterInternals {
  enabled: boolean;
  availableTokens: number;
  fillRate: number;
  refillTokenBucket(): void;
  getSendToken(): Promise<void>;
  updateClientSendingRate(response: unknown): void;
}

/**
 * The SDK's adaptive rate limiter, unchanged but for its time: it reads `clock` and waits for a
 * send token on `clock` (the SDK's reads Date.now() and waits on setTimeout).
 */
function clockRateLimiter(clock: Clock): Pick<RateLimiterInternals, "getSendToken" | "updateClientSendingRate"> {
  const Base = DefaultRateLimiter as unknown as new () => RateLimiterInternals;
  class ClockRateLimiter extends Base {
    getCurrentTimeInSeconds(): number {
      return clock.now() / 1000;
    }
    async acquireTokenBucket(amount: number): Promise<void> {
      if (!this.enabled) return;
      this.refillTokenBucket();
      while (amount > this.availableTokens) {
        // At least 1 ms, as the SDK's setTimeout waits: "When delay is … less than 1, the delay will
        // be set to 1" (https://nodejs.org/api/timers.html#settimeoutcallback-delay-args). A shorter
        // sleep would not move an epoch-milliseconds clock at all (below its floating-point step),
        // and this loop would never end.
        await clock.sleep(Math.max(1, ((amount - this.availableTokens) / this.fillRate) * 1000));
        this.refillTokenBucket();
      }
      this.availableTokens -= amount;
    }
  }
  return new ClockRateLimiter();
}
