// @ts-check
/**
 * `npm run mutate`: mutation testing (StrykerJS, vitest runner) of the pure code, src/core and
 * src/iam, against their unit tests (test/unit/core, test/unit/iam: no emulator). docs/testing.md
 * records the score and every surviving mutant.
 *
 * Incremental: only mutants whose code or covering tests changed since the last run of the same
 * selection are tested again. The incremental file and the HTML/JSON reports go to
 * bench/results/mutation/<selection>/ (not committed, like the benchmark's results).
 *
 * A whole run (about 9,200 mutants) takes well over an hour on two shared cores, so it runs in
 * chunks of files, each with its own STRYKER_NAME; `npm run mutate:score` adds the chunks up:
 *   STRYKER_MUTATE=src/iam/policies.ts STRYKER_TESTS=test/unit/iam STRYKER_NAME=iam npm run mutate
 * STRYKER_MUTATE: comma-separated files or globs to mutate; STRYKER_TESTS: comma-separated test
 * folders or files (stryker.vitest.config.ts reads it); STRYKER_NAME: the selection's folder;
 * STRYKER_CONCURRENCY: test runner processes (default 2); STRYKER_IGNORE_STATIC=1: leave static
 * mutants out (docs/testing.md).
 */
const mutate = (process.env.STRYKER_MUTATE ?? "src/core/**/*.ts,src/iam/**/*.ts").split(",").filter(Boolean);
const name = process.env.STRYKER_NAME ?? "all";
const dir = `bench/results/mutation/${name}`;

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "stryker.vitest.config.ts", related: false },
  mutate,
  coverageAnalysis: "perTest",
  incremental: true,
  incrementalFile: `${dir}/stryker-incremental.json`,
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
  // Static mutants (module-level constants) need every test and a fresh module graph per mutant;
  // the vitest runner reported them surviving although the tests kill them (docs/testing.md).
  // STRYKER_IGNORE_STATIC=1 leaves them out (counted as ignored, not in the score).
  ignoreStatic: process.env.STRYKER_IGNORE_STATIC === "1",
  timeoutMS: 10000,
  reporters: ["clear-text", "progress-append-only", "html", "json"],
  htmlReporter: { fileName: `${dir}/mutation.html` },
  jsonReporter: { fileName: `${dir}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  tempDirName: `${dir}/.stryker-tmp`,
  cleanTempDir: true,
  ignorePatterns: ["bench/results", "dist", "coverage", "orb", ".circleci"],
};
