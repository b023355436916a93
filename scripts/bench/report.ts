/** The benchmark's report: targets checked, a Markdown table (printed only; docs/performance.md says what it measures), and the JSON document. */
import type { ColdStart } from "./cold-start.js";
import type { HistoryRun } from "./history.js";
import type { ReleaseRun } from "./release.js";
import { CONNECTION_MS, LATENCY_MS, MINIMUM_ROUND_TRIPS, type RollbackRun } from "./rollback.js";
import type { RollbackInBakeRun } from "./rollback-bake.js";
import type { Sizes } from "./size.js";
import { median, medianCounts } from "./stats.js";
import { CONFIG_BUDGET_BYTES } from "../../src/orb/cli-builds.js";

/** Everything measured. */
export interface BenchResults {
  readonly config: { runs: number; coldRuns: number; parameters: number; revisions: number; node: string; cpus: number; date: string };
  readonly release: ReleaseRun[];
  /** One release whose rollouts take 3 polls each: shows the waits run side by side. */
  readonly releaseSlow: ReleaseRun;
  /** One release whose rollouts fail on the 2nd poll: the failure must end the wait on that poll. */
  readonly releaseFailing: ReleaseRun;
  /** The panic rollback with local keys, at LATENCY_MS a call. */
  readonly rollback: RollbackRun[];
  /** The same with CircleCI OIDC credentials (the emulator's STS). */
  readonly rollbackOidc?: RollbackRun[];
  /** rollback of a BLUE_GREEN service in bake time (StopServiceDeployment ROLLBACK). */
  readonly rollbackInBake?: RollbackInBakeRun[];
  /** The panic rollback with local keys, at LATENCY_MS a call and CONNECTION_MS a new connection. */
  readonly rollbackHandshakes?: RollbackRun[];
  /** One run of each rollback case with an empty compile cache (the full build's first run on a machine). */
  readonly rollbackEmptyCache?: { rollback: RollbackRun[]; rollbackOidc: RollbackRun[]; rollbackInBake: RollbackInBakeRun[] };
  readonly history: { seedSeconds: number; large: HistoryRun[]; largeWithCluster: HistoryRun[]; small: HistoryRun[] };
  readonly coldStart: ColdStart;
  readonly sizes: Sizes;
}

/** One target: what it asks, what was measured, whether it holds. */
export interface Check {
  readonly target: string;
  readonly measured: string;
  readonly ok: boolean | null;
}

const ms = (n: number): string => `${Math.round(n)} ms`;
const kib = (n: number): string => (n < 10_240 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024).toFixed(0)} KiB`);

/** The issue's targets, checked against the medians. */
export function checkTargets(r: BenchResults): Check[] {
  const rel = r.release;
  const calls = median(rel.map((x) => x.totalCalls));
  const minimum = rel[0]?.minimumCalls ?? 0;
  // The issue counts pages of 10 only; the protocol adds the empty page that ends a full listing.
  const pagesOnly = minimum - (r.config.parameters % 10 === 0 ? 1 : 0);
  const excess = [...new Set(rel.flatMap((x) => x.excess))];
  const historyRuns = [...r.history.large, ...r.history.largeWithCluster, ...r.history.small];
  return [
    {
      target: "(1) release: no call twice, ≤ 5% above the minimum",
      measured: `${calls} calls vs ${minimum} minimum with the end-of-list page (+${(((calls - minimum) / minimum) * 100).toFixed(1)}%), ${pagesOnly} counting full pages only (+${(((calls - pagesOnly) / pagesOnly) * 100).toFixed(1)}%)${excess.length ? `; above minimum: ${excess.join(", ")}` : "; every operation at its minimum"}`,
      ok: excess.length === 0 && calls <= pagesOnly * 1.05,
    },
    {
      target: "(1) release: the 3 UpdateService calls overlap; the waits overlap",
      measured: `updates overlapped in ${rel.filter((x) => x.updatesOverlap).length}/${rel.length} runs; 3 rollouts of 3 steps each took ${r.releaseSlow.polls} polls (one after the other: 9)`,
      ok: rel.every((x) => x.updatesOverlap) && r.releaseSlow.updatesOverlap && r.releaseSlow.polls === 3,
    },
    {
      target: "a rollout failure is reported on the first poll after ECS reports it",
      measured: `deployments failed by ECS at poll 2 (of 3 services, circuit breaker rolling back): failure printed after poll ${r.releaseFailing.failureReportedAfterPoll ?? "never"}, exit 1 after ${r.releaseFailing.polls} polls`,
      ok: r.releaseFailing.failureReportedAfterPoll === 2,
    },
    ...rollbackChecks(r),
    {
      // With --service, history also reads ECS's service deployment record (native strategies): one
      // ListServiceDeployments page and one DescribeServiceRevisions per 20 rows, beside the tags' 25.
      target: "(3) history --limit 20: ≤ 25 calls whatever the family's size (+2 for ECS's record with --service)",
      measured: `max ${Math.max(...historyRuns.map((x) => x.totalCalls))} calls (${r.config.revisions} revisions: ${median(r.history.large.map((x) => x.totalCalls))} with --family, ${median(r.history.largeWithCluster.map((x) => x.totalCalls))} with --cluster/--service, ECS's record included; 50 revisions: ${median(r.history.small.map((x) => x.totalCalls))})`,
      ok:
        [...r.history.large, ...r.history.small].every((x) => x.totalCalls <= 25) &&
        r.history.largeWithCluster.every((x) => x.totalCalls <= 27) &&
        median(r.history.large.map((x) => x.totalCalls)) === median(r.history.small.map((x) => x.totalCalls)),
    },
    {
      target: "(4) cold start: --version ≤ 1.5× node -e 0 (full build, median of the pairs' ratios)",
      measured: `${r.coldStart.ratio.toFixed(2)}× (${ms(median(r.coldStart.versionMs))} vs ${ms(median(r.coldStart.nodeMs))})`,
      ok: r.coldStart.ratio <= 1.5,
    },
    ...(r.coldStart.builds ?? []).map((b) => ({
      target: `(4) cold start: ${b.label} ≤ 1.3× node -e 0`,
      measured: `${b.ratio.toFixed(2)}× (${ms(median(b.ms))} vs ${ms(median(b.nodeMs))})`,
      ok: b.ratio <= 1.3,
    })),
  ];
}

const HANDSHAKE_TARGET = `(2) rollback with local keys at ${LATENCY_MS} ms a call and ${CONNECTION_MS} ms a new connection (TCP and TLS handshakes): only the first call waits for a handshake (the others' connections are opened while it is in flight)`;
const BAKE_TARGET = "(6) rollback of a blue/green service in bake time: production traffic back one poll after StopServiceDeployment";
const ROLLBACK_TARGET = `(2) rollback at the minimum round trips to the first write (local keys ${MINIMUM_ROUND_TRIPS.keys}, OIDC ${MINIMUM_ROUND_TRIPS.oidc}, in flight ${MINIMUM_ROUND_TRIPS.inFlight}); first write ≤ 250 ms median with local keys, ${LATENCY_MS} ms a call`;

type Done<T> = Extract<T, { pending: false } | { failed: false }>;
const done = <T extends { pending: boolean } | { failed: boolean }>(runs: readonly T[] | undefined): Array<Done<T>> => (runs ?? []).filter((x) => !("pending" in x ? x.pending : x.failed)) as Array<Done<T>>;
const unmeasured = (runs: ReadonlyArray<RollbackRun | RollbackInBakeRun> | undefined): string | undefined => {
  const bad = (runs ?? []).find((x) => ("pending" in x ? x.pending : x.failed));
  return bad === undefined ? undefined : (bad as { reason: string }).reason;
};

/** The panic rollback's targets: round trips in all three cases, the first write with local keys, one handshake on the path with them; ECS's rollback in bake time. */
export function rollbackChecks(r: Pick<BenchResults, "rollback" | "rollbackOidc" | "rollbackInBake" | "rollbackHandshakes" | "rollbackEmptyCache">): Check[] {
  const keys = done(r.rollback);
  const oidc = done(r.rollbackOidc);
  const bake = done(r.rollbackInBake);
  const why = unmeasured(r.rollback) ?? unmeasured(r.rollbackOidc) ?? unmeasured(r.rollbackInBake);
  // The median run: on a loaded machine one call of a group made together can start after another one
  // answered (40 ms is short next to the scheduler's delays there); the max is shown beside it.
  const trips = (runs: ReadonlyArray<{ roundTrips: number }>) => (runs.length === 0 ? "not measured" : `${median(runs.map((x) => x.roundTrips))} (max ${Math.max(...runs.map((x) => x.roundTrips))})`);
  const at = (runs: ReadonlyArray<{ roundTrips: number }>, minimum: number) => median(runs.map((x) => x.roundTrips)) <= minimum;
  const checks: Check[] = [
    {
      target: ROLLBACK_TARGET,
      measured: `${why !== undefined ? `not all measured (${why}); ` : ""}round trips (median of ${keys.length} runs) ${trips(keys)} / ${trips(oidc)} / ${trips(bake)}; first write ${keys.length > 0 ? ms(median(keys.map((x) => x.toUpdateMs))) : "not measured"}${emptyCacheNote(r)} (OIDC ${oidc.length > 0 ? ms(median(oidc.map((x) => x.toUpdateMs))) : "not measured"}, in flight ${bake.length > 0 ? ms(median(bake.map((x) => x.toStopMs))) : "not measured"})`,
      ok:
        why === undefined && keys.length > 0 && oidc.length > 0 && bake.length > 0
          ? at(keys, MINIMUM_ROUND_TRIPS.keys) && at(oidc, MINIMUM_ROUND_TRIPS.oidc) && at(bake, MINIMUM_ROUND_TRIPS.inFlight) && median(keys.map((x) => x.toUpdateMs)) <= 250
          : false,
    },
  ];
  const handshakes = done(r.rollbackHandshakes);
  if (handshakes.length > 0) {
    const waited = handshakes.map((x) => x.handshakes);
    checks.push({ target: HANDSHAKE_TARGET, measured: `calls that waited for a handshake, per run: ${waited.join(", ")}; first write ${ms(median(handshakes.map((x) => x.toUpdateMs)))}`, ok: median(waited) <= 1 });
  }
  if (bake.length > 0) {
    const polls = bake.map((x) => x.pollsToTrafficBack);
    checks.push({ target: BAKE_TARGET, measured: `traffic back after ${polls.map((p) => p ?? "never").join(", ")} poll(s)`, ok: polls.every((p) => p === 1) });
  }
  return checks;
}

/** ", N ms with an empty compile cache" for the local-keys case, when it ran. */
function emptyCacheNote(r: Pick<BenchResults, "rollbackEmptyCache">): string {
  const first = done(r.rollbackEmptyCache?.rollback)[0];
  return first === undefined ? "" : ` with a warm compile cache, ${ms(first.toUpdateMs)} with an empty one`;
}

/** The panic rollback's rows of the table: per case, the time to the first write, its round trips next to the minimum, the calls before it. */
export function rollbackRows(r: Pick<BenchResults, "rollback" | "rollbackOidc" | "rollbackInBake" | "rollbackHandshakes" | "rollbackEmptyCache">): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const cases: Array<[string, RollbackRun[] | undefined, number, RollbackRun[] | undefined]> = [
    ["local keys", r.rollback, MINIMUM_ROUND_TRIPS.keys, r.rollbackEmptyCache?.rollback],
    ["OIDC (token minted, STS)", r.rollbackOidc, MINIMUM_ROUND_TRIPS.oidc, r.rollbackEmptyCache?.rollbackOidc],
  ];
  for (const [name, runs, minimum, emptyRuns] of cases) {
    const ok = done(runs);
    if (ok.length === 0) {
      rows.push([`(2) rollback, ${name}`, `not measured (${unmeasured(runs) ?? "no runs"})`]);
      continue;
    }
    rows.push([`(2) rollback, ${name}, ${LATENCY_MS} ms a call: process start → UpdateService (a new process; compile cache, where the build has one, warm)`, `${ms(median(ok.map((x) => x.toUpdateMs)))} (min ${ms(Math.min(...ok.map((x) => x.toUpdateMs)))}, max ${ms(Math.max(...ok.map((x) => x.toUpdateMs)))}, ${ok.length} runs)`]);
    const empty = done(emptyRuns)[0];
    if (empty !== undefined) rows.push(["    with an empty compile cache (the full build's first run on a machine)", `${ms(empty.toUpdateMs)} (first AWS call at ${ms(empty.firstCallMs)}; 1 run)`]);
    rows.push(["    of which process start → first AWS call (node's start, module loading; the mint with OIDC)", ms(median(ok.map((x) => x.firstCallMs)))]);
    rows.push(["    of which first AWS call → UpdateService (the round trips)", ms(median(ok.map((x) => x.toUpdateMs - x.firstCallMs)))]);
    rows.push([`    round trips to UpdateService (minimum ${minimum})`, `${median(ok.map((x) => x.roundTrips))}: ${medianChain(ok)}`]);
    const before = medianCounts(ok.map((x) => x.callsBefore));
    rows.push(["    calls before UpdateService", `${median(ok.map((x) => x.callsBeforeTotal))} (${Object.entries(before).map(([k, v]) => `${k} ${v}`).join(", ")})`]);
    rows.push(["    whole run incl. wait and deregistration", `${ms(median(ok.map((x) => x.wallMs)))}, ${median(ok.map((x) => x.totalCalls))} calls`]);
  }
  const handshakes = done(r.rollbackHandshakes);
  if (handshakes.length > 0) {
    rows.push([`(2) rollback, local keys, ${LATENCY_MS} ms a call and ${CONNECTION_MS} ms a new connection: process start → UpdateService`, `${ms(median(handshakes.map((x) => x.toUpdateMs)))} (${handshakes.length} runs)`]);
    rows.push(["    calls up to UpdateService that waited for a handshake (minimum 1: the first)", `${median(handshakes.map((x) => x.handshakes))}; round trips ${median(handshakes.map((x) => x.roundTrips))}`]);
  }
  const bake = done(r.rollbackInBake);
  if (bake.length > 0) {
    rows.push([`(6) rollback in flight (BLUE_GREEN in bake time), ${LATENCY_MS} ms a call: process start → StopServiceDeployment (a new process; compile cache, where the build has one, warm)`, `${ms(median(bake.map((x) => x.toStopMs)))} after ${median(bake.map((x) => x.callsBeforeStop))} calls`]);
    const emptyBake = done(r.rollbackEmptyCache?.rollbackInBake)[0];
    if (emptyBake !== undefined) rows.push(["    with an empty compile cache", `${ms(emptyBake.toStopMs)} (1 run)`]);
    rows.push(["    of which process start → first AWS call", ms(median(bake.map((x) => x.firstCallMs)))]);
    rows.push(["    of which first AWS call → StopServiceDeployment (the round trips)", ms(median(bake.map((x) => x.toStopMs - x.firstCallMs)))]);
    rows.push([`    round trips to StopServiceDeployment (minimum ${MINIMUM_ROUND_TRIPS.inFlight})`, `${median(bake.map((x) => x.roundTrips))}: ${medianChain(bake)}`]);
    rows.push(["    polls after the stop until production traffic is back", `${median(bake.map((x) => x.pollsToTrafficBack ?? -1))}`]);
    rows.push(["    whole run incl. wait and deregistration", `${ms(median(bake.map((x) => x.wallMs)))}, ${median(bake.map((x) => x.totalCalls))} calls`]);
  }
  return rows;
}

/** The chain of a run with the median number of round trips. */
function medianChain(runs: ReadonlyArray<{ roundTrips: number; chain: readonly string[] }>): string {
  const sorted = [...runs].sort((a, b) => a.roundTrips - b.roundTrips);
  return sorted[Math.floor((sorted.length - 1) / 2)]?.chain.join(" → ") ?? "";
}

/** Rows as a Markdown table. */
export function markdownRows(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return ["| measure | median |", "|---|---|", ...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v} |`)].join("\n");
}

/** The Markdown table of medians, printed by `npm run bench` (docs/performance.md describes its rows). */
export function markdownTable(r: BenchResults): string {
  const rel = r.release;
  const relCalls = medianCounts(rel.map((x) => x.calls));
  const minimum = rel[0]?.minimum ?? {};
  const rows: Array<[string, string]> = [];
  rows.push([`(1) release: ${r.config.parameters} parameters → 3 services, 2 families: API calls`, `${median(rel.map((x) => x.totalCalls))} (minimum ${rel[0]?.minimumCalls ?? "?"}, of which 1 is the empty page that ends the SSM listing)`]);
  for (const [operation, count] of Object.entries(relCalls)) if (count > 0 || (minimum[operation] ?? 0) > 0) rows.push([`    ${operation}`, `${count} (minimum ${minimum[operation] ?? 0})`]);
  rows.push(["(1) release: wall time, spawn to exit (rollouts complete on the first poll)", ms(median(rel.map((x) => x.wallMs)))]);
  rows.push([
    "    of which verify / register / update / wait (CLI's own phases)",
    ["verifyMs", "registerMs", "updateMs", "waitMs"].map((k) => ms(median(rel.map((x) => x.phases[k as keyof ReleaseRun["phases"]])))).join(" / "),
  ]);
  rows.push(["(1) release: UpdateService calls overlapping in time", `${rel.filter((x) => x.updatesOverlap).length}/${rel.length} runs`]);
  rows.push(["(1) release: polls for 3 rollouts of 3 steps each", `${r.releaseSlow.polls} DescribeServices (waits side by side)`]);
  rows.push(["(1) release: ECS fails the deployments at poll 2: failure printed after poll / exit 1 after poll", `${r.releaseFailing.failureReportedAfterPoll ?? "never"} / ${r.releaseFailing.polls}`]);
  rows.push(...rollbackRows(r));
  const h = r.history;
  rows.push([`(3) history --family F --limit 20, ${r.config.revisions} revisions`, `${median(h.large.map((x) => x.totalCalls))} calls, ${ms(median(h.large.map((x) => x.wallMs)))}`]);
  rows.push([`(3) history --cluster C --service S --limit 20, ${r.config.revisions} revisions`, `${median(h.largeWithCluster.map((x) => x.totalCalls))} calls, ${ms(median(h.largeWithCluster.map((x) => x.wallMs)))}`]);
  rows.push(["(3) history --family F --limit 20, 50 revisions", `${median(h.small.map((x) => x.totalCalls))} calls, ${ms(median(h.small.map((x) => x.wallMs)))}`]);
  rows.push([`    seeding ${r.config.revisions} revisions (16 concurrent RegisterTaskDefinition)`, `${h.seedSeconds.toFixed(1)} s`]);
  const c = r.coldStart;
  rows.push(["(4) cold start: ecs-release --version / node -e 0", `${c.ratio.toFixed(2)}× (${ms(median(c.versionMs))} / ${ms(median(c.nodeMs))})`]);
  rows.push(["(4) cold start: ecs-release --help / node -e 0", `${c.helpRatio.toFixed(2)}× (${ms(median(c.helpMs))})`]);
  for (const b of c.builds ?? []) rows.push([`(4) cold start: ${b.label} / node -e 0`, `${b.ratio.toFixed(2)}× (${ms(median(b.ms))} / ${ms(median(b.nodeMs))})`]);
  const s = r.sizes;
  rows.push(["(5) bundle dist/ecs-release.cjs: raw / gzip / brotli", `${kib(s.bundle.raw)} / ${kib(s.bundle.gzip)} / ${kib(s.bundle.brotli)}`]);
  rows.push(["(5) orb/orb.yml: raw / gzip", `${kib(s.orb.raw)} / ${kib(s.orb.gzip)}`]);
  // Each job within the config budget (src/orb/cli-builds.ts: 200 KiB, so a pipeline holds 40 such jobs under CircleCI's 8 MB).
  if (s.jobs) for (const [job, bytes] of Object.entries(s.jobs)) rows.push([`(5) orb job \`${job}\`, expanded YAML`, `${kib(bytes)} (${bytes <= CONFIG_BUDGET_BYTES ? "within" : "OVER"} the ${kib(CONFIG_BUDGET_BYTES)} budget)`]);
  else rows.push(["(5) orb jobs, expanded YAML", "pending (no expander)"]);
  return markdownRows(rows);
}
