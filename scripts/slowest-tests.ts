// `npm run -s slowest -- FILE`: the slowest test files and tests of a vitest JSON report (FILE is what
// `npm test -- --reporter=json --outputFile.json=FILE` wrote; .ci/run prints this after every run).
// Where the suite's time goes is the first thing to know before making it faster.
import { readFileSync } from "node:fs";
import { relative } from "node:path";

interface Assertion {
  readonly fullName: string;
  readonly duration?: number | null;
}
interface FileResult {
  readonly name: string;
  readonly startTime: number;
  readonly endTime: number;
  readonly assertionResults: readonly Assertion[];
}

const [path, count = "12"] = process.argv.slice(2);
if (!path) {
  console.error("usage: npm run -s slowest -- REPORT.json [COUNT]");
  process.exit(2);
}
const report = JSON.parse(readFileSync(path, "utf8")) as { testResults: readonly FileResult[] };
const top = Number(count);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`.padStart(8);

const files = report.testResults.map((file) => ({ name: relative(process.cwd(), file.name), ms: file.endTime - file.startTime }));
files.sort((a, b) => b.ms - a.ms);
const total = files.reduce((sum, file) => sum + file.ms, 0);
console.log(`slowest test files (of ${files.length}; ${seconds(total).trim()} summed over the workers):`);
for (const file of files.slice(0, top)) console.log(`${seconds(file.ms)}  ${file.name}`);

const tests = report.testResults.flatMap((file) => file.assertionResults.map((test) => ({ name: `${relative(process.cwd(), file.name)} > ${test.fullName}`, ms: test.duration ?? 0 })));
tests.sort((a, b) => b.ms - a.ms);
console.log(`\nslowest tests (of ${tests.length}):`);
for (const test of tests.slice(0, top)) console.log(`${seconds(test.ms)}  ${test.name}`);
