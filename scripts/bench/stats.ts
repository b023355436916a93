/** Small statistics for the benchmark: medians and spreads over runs. */

/** The median of `values` (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Median, minimum and maximum of a series, rounded to `digits` decimals. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

/** Summarises a series of measurements. */
export function summarize(values: readonly number[], digits = 1): Summary {
  const round = (n: number): number => Math.round(n * 10 ** digits) / 10 ** digits;
  return { median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)), runs: values.length };
}

/** The per-key median of a list of count maps (keys missing in a run count as 0). */
export function medianCounts(runs: ReadonlyArray<Readonly<Record<string, number>>>): Record<string, number> {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r)))].sort();
  return Object.fromEntries(keys.map((key) => [key, median(runs.map((r) => r[key] ?? 0))]));
}
