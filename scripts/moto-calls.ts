// `npx tsx scripts/moto-calls.ts FILE [COUNT]`: where the test suite's moto round trips go. FILE is what
// a run with `EMULATOR_MOTO_CALLS=FILE npx vitest run …` appended (test/helpers/emulator.ts: one line
// per test file with the requests the emulator sent to moto; test/helpers/seed.ts: one line per file
// that seeds before each test, with the seeds and their milliseconds).
import { readFileSync } from "node:fs";

interface Line {
  readonly file: string;
  readonly calls?: Record<string, { count: number; ms: number }>;
  readonly seeds?: number;
  readonly seedMs?: number;
}

const [path, count = "15"] = process.argv.slice(2);
if (!path) {
  console.error("usage: npx tsx scripts/moto-calls.ts FILE [COUNT]");
  process.exit(2);
}
const top = Number(count);
const lines = readFileSync(path, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Line);
const byOperation = new Map<string, { count: number; ms: number }>();
const hits = new Map<string, number>();
const byFile = new Map<string, { count: number; ms: number; seeds: number; seedMs: number }>();
for (const line of lines) {
  const file = byFile.get(line.file) ?? { count: 0, ms: 0, seeds: 0, seedMs: 0 };
  for (const [operation, { count: n, ms }] of Object.entries(line.calls ?? {})) {
    // The emulator's reads answered from its cache (test/emulator/moto-cache.ts): no request to moto.
    if (operation.startsWith("cache hit: ")) {
      hits.set(operation, (hits.get(operation) ?? 0) + n);
      continue;
    }
    const entry = byOperation.get(operation) ?? { count: 0, ms: 0 };
    entry.count += n;
    entry.ms += ms;
    byOperation.set(operation, entry);
    file.count += n;
    file.ms += ms;
  }
  file.seeds += line.seeds ?? 0;
  file.seedMs += line.seedMs ?? 0;
  byFile.set(line.file, file);
}
const sum = (values: Iterable<{ count: number; ms: number }>) => [...values].reduce((a, b) => ({ count: a.count + b.count, ms: a.ms + b.ms }), { count: 0, ms: 0 });
const total = sum(byOperation.values());
const seeds = [...byFile.values()].reduce((a, b) => ({ seeds: a.seeds + b.seeds, ms: a.ms + b.seedMs }), { seeds: 0, ms: 0 });
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
console.log(`${total.count} requests to moto, ${s(total.ms)} of round trips (summed over the workers), in ${byFile.size} test files`);
if (hits.size > 0) console.log(`answered from the emulator's cache instead: ${[...hits].map(([kind, n]) => `${n} (${kind.replace("cache hit: ", "")})`).join(", ")}`);
console.log(`${seeds.seeds} seeds before a test (seedEachTest), ${s(seeds.ms)} including the reset before each\n`);
console.log("by operation:");
for (const [operation, { count: n, ms }] of [...byOperation].sort((a, b) => b[1].count - a[1].count).slice(0, top)) console.log(`${String(n).padStart(7)}  ${s(ms).padStart(8)}  ${operation}`);
console.log("\nby test file:");
for (const [file, v] of [...byFile].sort((a, b) => b[1].count - a[1].count).slice(0, top)) {
  console.log(`${String(v.count).padStart(7)}  ${s(v.ms).padStart(8)}  ${file}${v.seeds > 0 ? `  (${v.seeds} seeds, ${s(v.seedMs)})` : ""}`);
}
