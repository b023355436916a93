/**
 * Waiting for what a running CLI printed, or for the emulator to reach a state, without fixed sleeps.
 */

/**
 * Resolves once `predicate` holds. Between checks it yields to `pace` (one emulator round trip,
 * e.g. `() => emulator.callLog()`), so the loop follows the emulator, not a timer.
 */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, what: string, pace: () => Promise<unknown>, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pace();
  }
}
