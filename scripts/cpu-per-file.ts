// `npx tsx scripts/cpu-per-file.ts FILE [COUNT]`: where a test run's CPU time went, from the lines
// `TEST_CPU_FILE=FILE npm test` appended (test/helpers/cpu-per-file.ts): the totals of the worker,
// the processes it started and its moto, then the test files that used the most.
import { readFileSync } from "node:fs";

interface Line {
  readonly file: string;
  readonly worker: number;
  readonly children: number;
  readonly moto: number;
}

const [path, count = "20"] = process.argv.slice(2);
if (!path) {
  console.error("usage: npx tsx scripts/cpu-per-file.ts FILE [COUNT]");
  process.exit(2);
}
const lines = readFileSync(path, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Line);
const total = (line: Line) => line.worker + line.children + line.moto;
const seconds = (value: number) => `${value.toFixed(1)} s`.padStart(8);
const sum = (pick: (line: Line) => number) => lines.reduce((acc, line) => acc + pick(line), 0);
console.log(`CPU time of ${lines.length} test files: ${seconds(sum(total)).trim()}: workers ${seconds(sum((l) => l.worker)).trim()}, processes they started ${seconds(sum((l) => l.children)).trim()}, moto ${seconds(sum((l) => l.moto)).trim()}`);
console.log(`\n   total   worker processes   moto  file`);
for (const line of [...lines].sort((a, b) => total(b) - total(a)).slice(0, Number(count))) {
  console.log(`${seconds(total(line))}${seconds(line.worker)}${seconds(line.children)}  ${seconds(line.moto)}  ${line.file}`);
}
