// `npm run bench`: measures ecs-release against the local emulator and prints a table of medians;
// writes every run to bench/results/latest.json. Needs `npm run build` first (it runs it when the
// bundle is missing) and Python 3 with moto. Options: --runs N (default 5), --cold-runs N
// (default 20), --parameters N (default 500), --revisions N (default 5000), --only rollback (the
// panic rollback's cases alone; with --compare PATH, another build interleaved with this one),
// --bundle PATH (measure another build).
// Reported, not gated: it exits 0 unless it could not measure; the targets' verdicts are in the table.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startEmulator, type Emulator } from "../test/emulator/index.js";
import { awsClients, type AwsClients } from "../test/helpers/emulator.js";
import { BUNDLE, startSettingsLeftOut, useBundle, useCompileCache } from "./bench/cli-process.js";
import { measureColdStart } from "./bench/cold-start.js";
import { runHistory, seedHistoryFamily } from "./bench/history.js";
import { CLUSTER, seedCluster, seedReleasePlatform } from "./bench/platform.js";
import { runRelease, type ReleaseRun } from "./bench/release.js";
import { checkTargets, markdownRows, markdownTable, rollbackChecks, rollbackRows, type BenchResults } from "./bench/report.js";
import { CONNECTION_MS, HANDSHAKE_SUFFIX, runRollback, seedRollbackService, type Credentials, type RollbackRun } from "./bench/rollback.js";
import { runRollbackInBake, seedBakeService, type RollbackInBakeRun } from "./bench/rollback-bake.js";
import { measureSizes } from "./bench/size.js";
import { mutationScoreTables } from "./mutation-score.js";

const RESULTS = "bench/results/latest.json";
const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    "cold-runs": { type: "string", default: "20" },
    parameters: { type: "string", default: "500" },
    revisions: { type: "string", default: "5000" },
    only: { type: "string" },
    bundle: { type: "string" },
    compare: { type: "string" },
  },
});
if (values.only !== undefined && values.only !== "rollback") throw new Error(`--only takes "rollback", not ${values.only}`);
const rollbackOnly = values.only === "rollback";
if (values.bundle !== undefined) useBundle(values.bundle);
const runs = Number(values.runs);
const coldRuns = Number(values["cold-runs"]);
const parameters = Number(values.parameters);
const revisions = Number(values.revisions);
const step = (text: string): void => console.error(`bench: ${text}`);

if (!existsSync(BUNDLE)) execFileSync("npm", ["run", "build", "--silent"], { stdio: "inherit" });
// The full build's compile cache (scripts/compile-cache.js): the bench's own, empty at its start, so
// that what it times does not depend on earlier runs on this machine. The rollbacks are timed with it
// warm (after one untimed round: a machine where ecs-release has run before) and, once per case,
// with a new empty one (the full build's first run on a machine; the job builds have no cache).
// The directories are removed when the bench ends.
const cacheDirs: string[] = [];
const emptyCache = (): string => {
  cacheDirs.push(mkdtempSync(join(tmpdir(), "ecs-release-bench-cache-")));
  return cacheDirs.at(-1) ?? "";
};
process.on("exit", () => {
  for (const dir of cacheDirs) rmSync(dir, { recursive: true, force: true });
});
process.env["ECS_RELEASE_COMPILE_CACHE"] = emptyCache();

if (rollbackOnly) {
  await benchRollbackOnly();
  process.exit(0);
}

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

  // The release rows are measured where ECS answers consistently, as test/integration/release-call-budget.test.ts
  // measures the minimum: the emulator's default stale read after UpdateService (ECS is eventually
  // consistent) would cost every rollout one more poll. Put back for the rollbacks, which are measured with it.
  const consistency = await emulator.setConsistency({});
  await emulator.setConsistency({ staleServiceReads: 0 });
  const release: ReleaseRun[] = [];
  for (let i = 0; i < runs; i++) {
    release.push(await runRelease(emulator, clients, parameters, 1, 1));
    step(`release ${i + 1}/${runs}: ${release.at(-1)?.totalCalls} calls, ${Math.round(release.at(-1)?.wallMs ?? 0)} ms`);
  }
  const releaseSlow = await runRelease(emulator, clients, parameters, 3, 1);
  const releaseFailing = await runRelease(emulator, clients, parameters, 2, 300, "fail");
  await emulator.setConsistency({ staleServiceReads: consistency.staleServiceReads });

  const { rollback, rollbackOidc, rollbackInBake, rollbackHandshakes, emptyCache: rollbackEmptyCache } = await benchRollbacks(emulator, clients);

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
    rollbackOidc,
    rollbackInBake,
    rollbackHandshakes,
    rollbackEmptyCache,
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
  console.log(`\nwrote ${RESULTS} (node ${process.version}, ${cpus().length} CPUs; measured processes get PATH and HOME only${startSettingsLeftOut().length ? `, not ${startSettingsLeftOut().join(", ")}` : ""})`);
  // The mutation score is not measured here (npm run mutate takes an hour or more on two cores): the
  // last run's, per directory, from its reports (docs/testing.md records it).
  const mutation = mutationScoreTables();
  console.log(mutation === undefined ? "\nmutation score: no report yet (npm run mutate)" : `\nmutation score of the last npm run mutate (not re-run here):\n${mutation.slice(mutation.indexOf("| Directory"))}`);
} finally {
  await emulator.stop();
}

/** The panic rollback's runs of one build. */
interface RollbackRuns {
  rollback: RollbackRun[];
  rollbackOidc: RollbackRun[];
  rollbackInBake: RollbackInBakeRun[];
  /** Local keys with CONNECTION_MS a new connection (on a service of its own). */
  rollbackHandshakes: RollbackRun[];
}

/** No runs yet. */
function noRuns(): RollbackRuns {
  return { rollback: [], rollbackOidc: [], rollbackInBake: [], rollbackHandshakes: [] };
}

/**
 * The panic rollback's cases, `runs` times each (local keys, OIDC, local keys with a new connection's
 * handshakes, and a deployment in flight: blue/green in bake time) with a warm compile cache; and once
 * each with an empty one.
 */
async function benchRollbacks(emulator: Emulator, clients: AwsClients): Promise<RollbackRuns & { emptyCache: RollbackRuns }> {
  const out = noRuns();
  await seedRollbacks(clients, "");
  const empty = await untimedThenEmpty(emulator, clients, "");
  for (let i = 0; i < runs; i++) await rollbackRound(emulator, clients, "", out, `${i + 1}/${runs}`);
  return { ...out, emptyCache: empty };
}

/**
 * An untimed round (the emulator's, the disk's and the compile cache's first reads), then one run of
 * each case with an empty compile cache: the rounds timed after it find the cache warm.
 */
async function untimedThenEmpty(emulator: Emulator, clients: AwsClients, suffix: string): Promise<RollbackRuns> {
  await rollbackRound(emulator, clients, suffix, noRuns(), "(untimed: warms the compile cache)");
  const empty = noRuns();
  await rollbackRound(emulator, clients, suffix, empty, "(empty compile cache)", true);
  return empty;
}

/** Each case's own services (`suffix`: another build's, measured beside). */
async function seedRollbacks(clients: AwsClients, suffix: string): Promise<void> {
  await seedRollbackService(clients, "keys", suffix);
  await seedRollbackService(clients, "oidc", suffix);
  await seedRollbackService(clients, "keys", `${suffix}${HANDSHAKE_SUFFIX}`);
  await seedBakeService(clients, suffix);
}

/** One run of each case, into `out`; `fresh`: each with a new, empty compile cache. */
async function rollbackRound(emulator: Emulator, clients: AwsClients, suffix: string, out: RollbackRuns, label: string, fresh = false): Promise<void> {
  const cases: Array<[string, Credentials, RollbackRun[]]> = [["rollback", "keys", out.rollback], ["rollback (OIDC)", "oidc", out.rollbackOidc]];
  for (const [name, credentials, into] of cases) {
    if (fresh) useCompileCache(emptyCache());
    const run = await runRollback(emulator, clients, credentials, suffix);
    into.push(run);
    step(`${name}${suffix} ${label}: ${run.pending ? run.reason : `UpdateService at ${run.toUpdateMs} ms (first call at ${run.firstCallMs} ms) after ${run.roundTrips} round trips (${run.chain.join(" → ")}), ${run.callsBeforeTotal} calls`}`);
  }
  if (fresh) useCompileCache(emptyCache());
  const handshakes = await runRollback(emulator, clients, "keys", `${suffix}${HANDSHAKE_SUFFIX}`, CONNECTION_MS);
  out.rollbackHandshakes.push(handshakes);
  step(`rollback${suffix}, ${CONNECTION_MS} ms a new connection ${label}: ${handshakes.pending ? handshakes.reason : `UpdateService at ${handshakes.toUpdateMs} ms after ${handshakes.roundTrips} round trips, ${handshakes.handshakes} of the calls waited for a handshake`}`);
  if (fresh) useCompileCache(emptyCache());
  const run = await runRollbackInBake(emulator, clients, suffix).finally(() => useCompileCache(undefined));
  out.rollbackInBake.push(run);
  step(`rollback in bake${suffix} ${label}: ${run.failed ? run.reason : `StopServiceDeployment at ${run.toStopMs} ms (first call at ${run.firstCallMs} ms) after ${run.roundTrips} round trips (${run.chain.join(" → ")}), traffic back after ${run.pollsToTrafficBack ?? "never"} poll(s)`}`);
}

/**
 * `--only rollback`: the rollback cases alone, their rows and targets printed
 * (bench/results/rollback.json). With `--compare PATH`, the build at PATH runs each case too, before
 * this one in every round (interleaved: a loaded machine slows both alike), on services of its own.
 */
async function benchRollbackOnly(): Promise<void> {
  const emulator = await startEmulator();
  try {
    const clients = awsClients(emulator);
    await seedCluster(clients);
    const results = noRuns();
    const compared = noRuns();
    await seedRollbacks(clients, "");
    if (values.compare !== undefined) {
      await seedRollbacks(clients, "-compared");
      useBundle(values.compare);
      await rollbackRound(emulator, clients, "-compared", noRuns(), `(untimed, ${values.compare})`);
    }
    useBundle(values.bundle ?? BUNDLE);
    const empty = await untimedThenEmpty(emulator, clients, "");
    for (let i = 0; i < runs; i++) {
      if (values.compare !== undefined) {
        useBundle(values.compare);
        await rollbackRound(emulator, clients, "-compared", compared, `${i + 1}/${runs} (${values.compare})`);
      }
      useBundle(values.bundle ?? BUNDLE);
      await rollbackRound(emulator, clients, "", results, `${i + 1}/${runs}`);
    }
    mkdirSync("bench/results", { recursive: true });
    const checks = rollbackChecks({ ...results, rollbackEmptyCache: empty });
    const config = { runs, node: process.version, cpus: cpus().length, load: loadavg(), date: new Date().toISOString(), bundle: values.bundle ?? BUNDLE, compare: values.compare ?? null };
    writeFileSync("bench/results/rollback.json", `${JSON.stringify({ config, ...results, rollbackEmptyCache: empty, ...(values.compare !== undefined ? { compared } : {}), checks }, null, 2)}\n`);
    if (values.compare !== undefined) console.log(`${values.compare}:\n${markdownRows(rollbackRows(compared))}\n\n${values.bundle ?? BUNDLE}:`);
    console.log(markdownRows(rollbackRows({ ...results, rollbackEmptyCache: empty })));
    console.log("");
    for (const check of checks) console.log(`${check.ok === null ? "PENDING" : check.ok ? "ok     " : "MISSED "} ${check.target}: ${check.measured}`);
    console.log(`\n(node ${process.version}, ${cpus().length} CPUs, load average ${loadavg().map((n) => n.toFixed(1)).join(" ")}; measured processes get PATH and HOME only${startSettingsLeftOut().length ? `, not ${startSettingsLeftOut().join(", ")}` : ""})`);
  } finally {
    await emulator.stop();
  }
}
