import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { DescribeClustersCommand } from "@aws-sdk/client-ecs";
import { AdaptiveRetryStrategy, StandardRetryStrategy } from "@smithy/core/retry";
import type { RetryErrorInfo, RetryErrorType, StandardRetryToken } from "@smithy/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createAwsClients } from "../../../src/aws/clients.js";
import { clockRetryStrategy } from "../../../src/aws/retry.js";
import { virtualClock } from "../../helpers/clock.js";

const info = (errorType: RetryErrorType): RetryErrorInfo => ({ errorType, error: Object.assign(new Error(errorType), { $metadata: {} }) as never });

/** Every retry the strategy grants for `errorType`, until it refuses: the delays slept, and whether it refused. */
async function retries(strategy: ReturnType<typeof clockRetryStrategy>, errorType: RetryErrorType): Promise<number> {
  let token = (await strategy.acquireInitialRetryToken("")) as StandardRetryToken;
  let granted = 0;
  for (;;) {
    try {
      token = (await strategy.refreshRetryTokenForRetry(token, info(errorType))) as StandardRetryToken;
      granted++;
    } catch {
      return granted;
    }
  }
}

/**
 * What the SDK's own strategy for `mode` sleeps (on its timers, faked here and started at the virtual
 * clock's time) for `errorType`: every backoff and every wait of its rate limiter, in order.
 */
async function sdkSleeps(mode: "standard" | "adaptive", maxAttempts: number, errorType: RetryErrorType): Promise<{ granted: number; slept: number[] }> {
  vi.useFakeTimers({ now: virtualClock().now(), toFake: ["setTimeout", "clearTimeout", "Date"] });
  const slept: number[] = [];
  const sdk = mode === "standard" ? new StandardRetryStrategy({ maxAttempts }) : new AdaptiveRetryStrategy(maxAttempts, { maxAttempts });
  let token = (await sdk.acquireInitialRetryToken("")) as StandardRetryToken;
  let granted = 0;
  for (;;) {
    let settled: { token?: StandardRetryToken } | undefined;
    sdk.refreshRetryTokenForRetry(token, info(errorType)).then((t) => (settled = { token: t as StandardRetryToken }), () => (settled = {}));
    // The sleeps are sequential: each jump to the next timer is one sleep.
    while (settled === undefined) {
      const before = Date.now();
      await vi.advanceTimersToNextTimerAsync();
      if (Date.now() > before) slept.push(Date.now() - before);
    }
    const refreshed: { token?: StandardRetryToken } = settled;
    if (refreshed.token === undefined) break;
    granted++;
    token = refreshed.token;
  }
  vi.useRealTimers();
  return { granted, slept };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

// The SDK's backoff: b * min(x * 2^i, 20 s), b uniform in [0, 1), x 1 s for throttling and 50 ms
// otherwise (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
describe("clockRetryStrategy: the SDK's retries, slept on the injected clock", () => {
  it.each<[string, "standard" | "adaptive", number, RetryErrorType, number]>([
    ["standard, throttled", "standard", 4, "THROTTLING", 3],
    ["standard, transient", "standard", 4, "TRANSIENT", 3],
    ["standard, 6 attempts, throttled", "standard", 6, "THROTTLING", 5],
    ["adaptive, throttled", "adaptive", 4, "THROTTLING", 3],
    ["adaptive, transient", "adaptive", 6, "TRANSIENT", 5],
    ["a client error is never retried", "standard", 6, "CLIENT_ERROR", 0],
    ["adaptive: a client error is never retried", "adaptive", 6, "CLIENT_ERROR", 0],
  ])("%s: the same attempts and the same waits as the SDK's strategy", async (_name, mode, maxAttempts, errorType, granted) => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const sdk = await sdkSleeps(mode, maxAttempts, errorType);
    expect(sdk.granted).toBe(granted);
    const clock = virtualClock();
    expect(await retries(clockRetryStrategy({ mode, maxAttempts, clock }), errorType)).toBe(granted);
    // The same sleeps, backoff and (adaptive) token bucket alike, in the same order: on the clock.
    expect(clock.slept).toEqual(sdk.slept);
  });

  it("full jitter: each delay is the random share of the exponential cap", async () => {
    const clock = virtualClock();
    const shares = [0, 0.25, 0.999];
    let call = 0;
    await retries(clockRetryStrategy({ mode: "standard", maxAttempts: 4, clock, random: () => shares[call++ % 3]! }), "THROTTLING");
    expect(clock.slept).toEqual([0, Math.floor(0.25 * 2000), Math.floor(0.999 * 4000)].filter((ms) => ms > 0));
  });

  it("adaptive: after throttling, the rate limiter makes the next sends wait, on the clock", async () => {
    const clock = virtualClock();
    const strategy = clockRetryStrategy({ mode: "adaptive", maxAttempts: 6, clock, random: () => 0 });
    const started = Date.now();
    await retries(strategy, "THROTTLING");
    // Backoff is 0 here (random 0): everything slept is the token bucket's wait for a send token.
    expect(clock.slept.length).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) await strategy.acquireInitialRetryToken("");
    const waited = clock.slept.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThan(1_000);
    // None of it on real time.
    expect(Date.now() - started).toBeLessThan(waited / 2);
  });

  it("adaptive, on a clock at today's epoch: a token wait shorter than 1 ms still moves the clock (as setTimeout waits at least 1 ms), so sends never spin", async () => {
    // Epoch milliseconds near 1.76e12 have a floating-point step of ~0.0002 ms: a wait of a few
    // hundred-thousandths of a millisecond did not move the clock, and the token loop never ended.
    const clock = virtualClock({
      onSleep: (count) => {
        if (count > 10_000) throw new Error("the rate limiter is spinning");
      },
    });
    const strategy = clockRetryStrategy({ mode: "adaptive", maxAttempts: 6, clock, random: () => 0.5 });
    // A release's calls, each throttled twice and then answered, then the polls after them.
    for (let call = 0; call < 7; call++) {
      let token = (await strategy.acquireInitialRetryToken("")) as StandardRetryToken;
      for (let throttle = 0; throttle < 2; throttle++) token = (await strategy.refreshRetryTokenForRetry(token, info("THROTTLING"))) as StandardRetryToken;
      strategy.recordSuccess(token);
    }
    for (let poll = 0; poll < 20; poll++) strategy.recordSuccess((await strategy.acquireInitialRetryToken("")) as StandardRetryToken);
    expect(clock.slept.length).toBeLessThan(1_000);
    expect(clock.slept.every((ms) => ms >= 1)).toBe(true);
  });

  it("a Retry-After hint lengthens the backoff by at most 5 s, measured on the clock", async () => {
    const clock = virtualClock();
    const strategy = clockRetryStrategy({ mode: "standard", maxAttempts: 3, clock, random: () => 0.5 });
    const token = (await strategy.acquireInitialRetryToken("")) as StandardRetryToken;
    const next = (await strategy.refreshRetryTokenForRetry(token, { ...info("THROTTLING"), retryAfterHint: new Date(clock.now() + 3_000) })) as StandardRetryToken;
    await strategy.refreshRetryTokenForRetry(next, { ...info("THROTTLING"), retryAfterHint: new Date(clock.now() + 60_000) });
    expect(clock.slept).toEqual([3_000, 1_000 + 5_000]);
  });
});

describe("createAwsClients with a clock: a throttled call retries on it", () => {
  const servers: { close(): void }[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.close()));

  it("two throttles, then success: 3 attempts, the backoff slept on the clock, not on timers", async () => {
    let calls = 0;
    const server = createServer((_req, res) => {
      calls++;
      const throttled = calls <= 2;
      res.writeHead(throttled ? 400 : 200, { "content-type": "application/x-amz-json-1.1" });
      res.end(throttled ? JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }) : JSON.stringify({ clusters: [], failures: [] }));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const clock = virtualClock();
    const env = { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: "AKIA1", AWS_SECRET_ACCESS_KEY: "s" };
    vi.spyOn(Math, "random").mockReturnValue(0.9);
    const started = Date.now();
    const out = await createAwsClients({ region: "eu-west-1", env, clock }).ecs.send(new DescribeClustersCommand({}));
    expect(out.$metadata.attempts).toBe(3);
    expect(calls).toBe(3);
    // 0.9 * 1 s, 0.9 * 2 s: the throttling backoff, on the virtual clock.
    expect(clock.slept.filter((ms) => ms === 900 || ms === 1_800)).toEqual([900, 1_800]);
    expect(Date.now() - started).toBeLessThan(900);
  });
});
