/**
 * Round trips read from the emulator's call log (start and end of every AWS call): how many calls a
 * command made one after the other before its first write. With a latency on every call
 * (`POST /_sim/latency`), calls made together overlap in the log and a call that waited for another
 * starts after it ended, so the longest such chain is the number of sequential round trips.
 */
import type { CallLogEntry } from "../emulator/index.js";

/** The calls before the first one named `write` (by start time); all of them when there is none. */
export function callsBefore(log: readonly CallLogEntry[], write: string): CallLogEntry[] {
  const first = log.find((entry) => entry.operation === write);
  return first === undefined ? [...log] : log.filter((entry) => entry.start < first.start);
}

/**
 * The longest chain of calls in which each started at or after the one before it ended: the
 * sequential round trips, as operation names in order (its length is the count).
 */
export function longestChain(log: readonly CallLogEntry[]): string[] {
  const calls = [...log].sort((a, b) => a.start - b.start);
  const chains: string[][] = [];
  calls.forEach((call, i) => {
    let best: string[] = [];
    for (let j = 0; j < i; j++) if (calls[j]!.end <= call.start && chains[j]!.length > best.length) best = chains[j]!;
    chains.push([...best, call.operation]);
  });
  return chains.reduce<string[]>((longest, chain) => (chain.length > longest.length ? chain : longest), []);
}
