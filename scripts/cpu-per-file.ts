// `npx tsx scripts/cpu-per-file.ts FILE [COUNT]`: where a test run's CPU time went, from the lines
// `TEST_CPU_FILE=FILE npm test` appended (test/helpers/cpu-per-file.ts): the totals of the worker,
// the processes it started and its moto, then the test files that used the most.
// `--steps FILE [COUNT]`: the lines `TEST_STEP_CPU_FILE=FILE` appended (test/helpers/orb-harness.ts):
// the CPU of the processes each orb step started, summed by step name, with each name's median.
import { readFileSync } from "node:fs";

interface Line {
  readonly file: string;
  readonly worker: number;
  readonly children: number;
  readonly moto: number;
}

const steps = process.argv[2] === "--steps";
const [path, count = "20"] = process.argv.slice(steps ? 3 : 2);
if (!path) {
  console.error("usage: npx tsx scripts/cpu-per-file.ts [--steps] FILE [COUNT]");
  process.exit(2);
}
if (steps) {
  const byStep = new Map<string, number[]>();
  for (const line of readFileSync(path, "utf8").split("\n").filter((text) => text !== "")) {
    const { step, cpu } = JSON.parse(line) as { step: string; cpu: number };
    byStep.set(step, [...(byStep.get(step) ?? []), cpu]);
  }
  const all = [...byStep.values()].flat();
  console.log(`CPU time of ${all.length} orb steps' processes: ${all.reduce((a, b) => a + b, 0).toFixed(1)} s`);
  console.log("\n   total  steps   median  step");
  for (const [step, cpus] of [...byStep].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0)).slice(0, Number(count))) {
    const sorted = [...cpus].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    console.log(`${`${cpus.reduce((a, b) => a + b, 0).toFixed(1)} s`.padStart(8)}${String(cpus.length).padStart(7)}${`${Math.round(median * 1000)} ms`.padStart(9)}  ${step.split("\n")[0]}`);
  }
  process.exit(0);
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
