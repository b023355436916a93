/** "Did you mean …?" for a mistyped name (a flag, a command). Pure. */

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_row, i) => Array.from({ length: b.length + 1 }, (_cell, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      const above = rows[i - 1]!;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The known name closest to `given` (case and `_`/`-` aside), when it is close enough to be the one
 * meant: within a third of its length in edits (at least 1, at most 3), or `given` is the start of
 * exactly one name. Undefined when nothing is that close, or two names are equally close.
 */
export function closestName(given: string, names: readonly string[]): string | undefined {
  const wanted = given.toLowerCase().replace(/_/g, "-");
  const exact = names.find((name) => name === wanted);
  if (exact !== undefined) return exact;
  const starting = names.filter((name) => wanted.length >= 3 && name.startsWith(wanted));
  if (starting.length === 1) return starting[0];
  const limit = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)));
  const scored = names.map((name) => ({ name, distance: editDistance(wanted, name) })).filter((s) => s.distance <= limit);
  const best = Math.min(...scored.map((s) => s.distance));
  const closest = scored.filter((s) => s.distance === best);
  return closest.length === 1 ? closest[0]?.name : undefined;
}
