/**
 * Benchmark (4): cold start of every CLI build against `node -e 0`, in interleaved pairs. Each pair
 * runs `node -e 0` and then the build, one right after the other, so that a busy machine slows both
 * alike; a build's ratio is the median of its pairs' ratios. Also a script on its own, for
 * before/after comparisons without the emulator: `npx tsx scripts/bench/cold-start.ts [RUNS]`.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CLI_BUILDS, cliBuildPath, type CliBuild } from "../../src/orb/cli-builds.js";
import { BUNDLE, measuredEnv, startSettingsLeftOut } from "./cli-process.js";
import { median } from "./stats.js";

/** One measured command line: its times, its paired `node -e 0` times and the median of the pairs' ratios. */
export interface ColdStartSeries {
  readonly label: string;
  readonly ms: number[];
  readonly nodeMs: number[];
  readonly ratio: number;
}

/** Both series of the full bundle (as before) and one series per build. */
export interface ColdStart {
  readonly nodeMs: number[];
  readonly versionMs: number[];
  readonly helpMs: number[];
  /** Median of the pairs' ratios: `ecs-release --version` (full bundle) / `node -e 0`. */
  readonly ratio: number;
  readonly helpRatio: number;
  /** Each job build's `--version` (what the orb's job runs before its command), paired the same way. */
  readonly builds?: readonly ColdStartSeries[];
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function timeSpawn(args: readonly string[]): number {
  const started = process.hrtime.bigint();
  // The rollback runs' environment (cli-process.ts, measuredEnv): `node -e 0` and the builds alike.
  const result = spawnSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...measuredEnv(), ECS_RELEASE_COMPILE_CACHE: process.env["ECS_RELEASE_COMPILE_CACHE"] ?? "" } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr.toString()}`);
  return ms;
}

/** What is measured: the full bundle's --version and --help, then each job build's --version. */
function subjects(): Array<{ label: string; args: string[] }> {
  const jobBuilds = CLI_BUILDS.filter((build): build is Exclude<CliBuild, "full"> => build !== "full").filter((build) => existsSync(ROOT + cliBuildPath(build)));
  return [
    { label: "full --version", args: [BUNDLE, "--version"] },
    { label: "full --help", args: [BUNDLE, "--help"] },
    ...jobBuilds.map((build) => ({ label: `${build} job build --version`, args: [ROOT + cliBuildPath(build), "--version"] })),
  ];
}

/** `runs` pairs (node -e 0, then the subject) for each subject, interleaved, after one warm-up of each. */
export function measureColdStart(runs: number): ColdStart {
  const node = ["-e", "0"];
  const list = subjects();
  for (const args of [node, ...list.map((s) => s.args)]) timeSpawn(args); // warm the page cache
  const series = list.map((s) => ({ label: s.label, ms: [] as number[], nodeMs: [] as number[] }));
  for (let i = 0; i < runs; i++) {
    list.forEach((subject, j) => {
      series[j]?.nodeMs.push(timeSpawn(node));
      series[j]?.ms.push(timeSpawn(subject.args));
    });
  }
  const withRatio = series.map((s) => ({ ...s, ratio: median(s.ms.map((ms, i) => ms / (s.nodeMs[i] ?? ms))) }));
  const [version, help, ...builds] = withRatio;
  if (!version || !help) throw new Error("no cold start series");
  return { nodeMs: version.nodeMs, versionMs: version.ms, helpMs: help.ms, ratio: version.ratio, helpRatio: help.ratio, builds };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const runs = Number(process.argv[2] ?? "20");
  const result = measureColdStart(runs);
  const rows = [
    { label: "full --version", ms: result.versionMs, nodeMs: result.nodeMs, ratio: result.ratio },
    { label: "full --help", ms: result.helpMs, nodeMs: result.nodeMs, ratio: result.helpRatio },
    ...(result.builds ?? []),
  ];
  const leftOut = startSettingsLeftOut();
  console.log(`cold start, median of ${runs} pairs (node -e 0, then the build), in an environment of PATH and HOME only${leftOut.length ? ` (not ${leftOut.join(", ")}, set here)` : ""}:`);
  for (const row of rows) console.log(`  ${row.label.padEnd(32)} ${row.ratio.toFixed(2)}×  (${median(row.ms).toFixed(1)} ms; node -e 0 ${median(row.nodeMs).toFixed(1)} ms)`);
}
