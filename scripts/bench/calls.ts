/** Reading the emulator's call log: calls per operation, and which calls overlapped in time. */
import type { CallLogEntry } from "../../test/emulator/index.js";

/** Calls per operation, e.g. `{ GetParametersByPath: 50, UpdateService: 3 }`. */
export function countByOperation(log: readonly CallLogEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of log) counts[entry.operation] = (counts[entry.operation] ?? 0) + 1;
  return counts;
}

/** True when every call of the list was in flight at one common moment (all pairs overlap). */
export function allOverlap(entries: readonly CallLogEntry[]): boolean {
  if (entries.length < 2) return true;
  const latestStart = Math.max(...entries.map((e) => e.start));
  const earliestEnd = Math.min(...entries.map((e) => e.end));
  return latestStart <= earliestEnd;
}

/** Operations whose count is above the minimum the work needs, as `Op: got/min`. */
export function excessCalls(counts: Readonly<Record<string, number>>, minimum: Readonly<Record<string, number>>): string[] {
  return Object.entries(counts)
    .filter(([operation, count]) => count > (minimum[operation] ?? 0))
    .map(([operation, count]) => `${operation}: ${count}/${minimum[operation] ?? 0}`);
}

/** The sum of a count map. */
export function total(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}
