import type { Clock } from "../../src/core/clock.js";

/** A clock that moves only when slept on, with every sleep recorded. */
export interface VirtualClock extends Clock {
  readonly slept: number[];
}

/**
 * A clock for main() or a command's deps that advances only when the code sleeps on it: a wait of
 * hours takes as many polls as it makes, not as long. `onSleep` sees each sleep's count before the
 * clock moves (e.g. to abort on the third); a sleep on an aborted signal throws its reason, as the
 * real clock's does.
 */
export function virtualClock(options: { start?: number; onSleep?: (count: number) => void } = {}): VirtualClock {
  let now = options.start ?? 1_764_489_600_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms, signal) => {
      slept.push(ms);
      options.onSleep?.(slept.length);
      if (signal?.aborted) throw signal.reason;
      now += ms;
      // Let the emulator and other callbacks run between polls, as a real sleep would.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
