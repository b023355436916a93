// `npm run bench`: measures ecs-release against the local emulator and prints a table of medians;
// writes every run to bench/results/latest.json. Needs `npm run build` first (it runs it when the
// bundle is missing) and Python 3 with moto. Options: --runs N (default 5), --cold-runs N
// (default 20), --parameters N (default 500), --revisions N (default 5000). Reported, not gated:
// it exits 0 unless it could not measure; the targets' verdicts are in the table.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { startEmulator } from "../test/emulator/index.js";
import { awsClients } from "../test/helpers/emulator.js";
import { BUNDLE } from "./bench/cli-process.js";
import { measureColdStart } from "./bench/cold-start.js";
import { runHistory, seedHistoryFamily } from "./bench/history.js";
import { CLUSTER, seedCluster, seedReleasePlatform } from "./bench/platform.js";
import { runRelease, type ReleaseRun } from "./bench/release.js";
import { checkTargets, markdownTable, type BenchResults } from "./bench/report.js";
import { runRollback, seedRollbackService, type RollbackRun } from "./bench/rollback.js";
import { runRollbackInBake, seedBakeService, type RollbackInBakeRun } from "./bench/rollback-bake.js";
import { measureSizes } from "./bench/size.js";

const RESULTS = "bench/results/latest.json";
const { values } = parseArgs({
  options: { runs: { type: "string", default: "5" }, "cold-runs": { type: "string", default: "20" }, parameters: { type: "string", default: "500" }, revisions: { type: "string", default: "5000" } },
});
const runs = Number(values.runs);
const coldRuns = Number(values["cold-runs"]);
const parameters = Number(values.parameters);
const revisions = Number(values.revisions);
const step = (text: string): void => console.error(`bench: ${text}`);

if (!existsSync(BUNDLE)) execFileSync("npm", ["run", "build", "--silent"], { stdio: "inherit" });

// Cold start first, on a quiet machine (no emulator running yet).
step(`cold start: ${coldRuns} interleaved pairs of node -e 0 and each build (full --version and --help, each job build --version)`);
const coldStart = measureColdStart(coldRuns);
const sizes = await measureSizes();

const emulator = await startEmulator();
try {
  const clients = awsClients(emulator);
  await seedCluster(clients);
  step(`seeding ${parameters} SSM parameters and 3 services in 2 families`);
  await seedReleasePlatform(clients, parameters);

  const release: ReleaseRun[] = [];
  for (let i = 0; i < runs; i++) {
    release.push(await runRelease(emulator, clients, parameters, 1, 1));
    step(`release ${i + 1}/${runs}: ${release.at(-1)?.totalCalls} calls, ${Math.round(release.at(-1)?.wallMs ?? 0)} ms`);
  }
  const releaseSlow = await runRelease(emulator, clients, parameters, 3, 1);
  const releaseFailing = await runRelease(emulator, clients, parameters, 2, 300, "fail");

  await seedRollbackService(clients);
  const rollback: RollbackRun[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await runRollback(emulator, clients);
    rollback.push(run);
    step(`rollback ${i + 1}/${runs}: ${run.pending ? run.reason : `UpdateService at ${run.toUpdateMs} ms after ${run.callsBeforeTotal} calls`}`);
    if (run.pending) break;
  }

  await seedBakeService(clients);
  const rollbackInBake: RollbackInBakeRun[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await runRollbackInBake(emulator, clients);
    rollbackInBake.push(run);
    step(`rollback in bake ${i + 1}/${runs}: ${run.failed ? run.reason : `StopServiceDeployment at ${run.toStopMs} ms, traffic back after ${run.pollsToTrafficBack ?? "never"} poll(s)`}`);
    if (run.failed) break;
  }

  step(`seeding a family of ${revisions} revisions`);
  const seedSeconds = await seedHistoryFamily(clients, "ledger", revisions);
  step(`seeded in ${seedSeconds.toFixed(1)} s`);
  await seedHistoryFamily(clients, "ledger-small", 50);
  const history: BenchResults["history"] = { seedSeconds, large: [], largeWithCluster: [], small: [] };
  for (let i = 0; i < runs; i++) {
    history.large.push(await runHistory(emulator, ["--family", "ledger"], 20));
    history.largeWithCluster.push(await runHistory(emulator, ["--cluster", CLUSTER, "--service", "ledger"], 20));
    history.small.push(await runHistory(emulator, ["--family", "ledger-small"], 20));
    step(`history ${i + 1}/${runs}: ${history.large.at(-1)?.totalCalls} calls, ${Math.round(history.large.at(-1)?.wallMs ?? 0)} ms`);
  }

  const results: BenchResults = {
    config: { runs, coldRuns, parameters, revisions, node: process.version, cpus: cpus().length, date: new Date().toISOString() },
    release,
    releaseSlow,
    releaseFailing,
    rollback,
    rollbackInBake,
    history,
    coldStart,
    sizes,
  };
  const checks = checkTargets(results);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify({ ...results, checks }, null, 2)}\n`);
  console.log(markdownTable(results));
  console.log("");
  for (const check of checks) console.log(`${check.ok === null ? "PENDING" : check.ok ? "ok     " : "MISSED "} ${check.target}: ${check.measured}`);
  console.log(`\nwrote ${RESULTS} (node ${process.version}, ${cpus().length} CPUs)`);
} finally {
  await emulator.stop();
}
