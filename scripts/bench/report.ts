/** The benchmark's report: targets checked, a Markdown table (printed only; docs/performance.md says what it measures), and the JSON document. */
import type { ColdStart } from "./cold-start.js";
import type { HistoryRun } from "./history.js";
import type { ReleaseRun } from "./release.js";
import type { RollbackRun } from "./rollback.js";
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
  readonly rollback: RollbackRun[];
  /** rollback of a BLUE_GREEN service in bake time (StopServiceDeployment ROLLBACK). */
  readonly rollbackInBake?: RollbackInBakeRun[];
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
  const rollbacks = r.rollback.filter((x): x is Extract<RollbackRun, { pending: false }> => !x.pending);
  const pending = r.rollback.find((x): x is Extract<RollbackRun, { pending: true }> => x.pending);
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
    pending
      ? { target: "(2) rollback: UpdateService ≤ 1.5 s from start, ≤ 4 calls before", measured: `pending: ${pending.reason}`, ok: null }
      : {
          target: "(2) rollback: UpdateService ≤ 1.5 s from start, ≤ 4 calls before",
          measured: `${ms(median(rollbacks.map((x) => x.toUpdateMs)))} after ${median(rollbacks.map((x) => x.callsBeforeTotal))} calls`,
          ok: rollbacks.every((x) => x.callsBeforeTotal <= 4) && median(rollbacks.map((x) => x.toUpdateMs)) <= 1500,
        },
    ...bakeCheck(r.rollbackInBake ?? []),
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

const BAKE_TARGET = "(6) rollback of a blue/green service in bake time: start → StopServiceDeployment ≤ 1 s; production traffic back one poll later";

function bakeCheck(runs: readonly RollbackInBakeRun[]): Check[] {
  if (runs.length === 0) return [];
  const failed = runs.find((x): x is Extract<RollbackInBakeRun, { failed: true }> => x.failed);
  if (failed) return [{ target: BAKE_TARGET, measured: `not measured: ${failed.reason}`, ok: false }];
  const ok = runs.filter((x): x is Extract<RollbackInBakeRun, { failed: false }> => !x.failed);
  const polls = ok.map((x) => x.pollsToTrafficBack);
  return [
    {
      target: BAKE_TARGET,
      measured: `${ms(median(ok.map((x) => x.toStopMs)))} after ${median(ok.map((x) => x.callsBeforeStop))} calls; traffic back after ${polls.map((p) => p ?? "never").join(", ")} poll(s)`,
      ok: median(ok.map((x) => x.toStopMs)) <= 1000 && polls.every((p) => p === 1),
    },
  ];
}

/** The Markdown table of medians, printed by `npm run bench` (docs/performance.md describes its rows). */
export function markdownTable(r: BenchResults): string {
  const rel = r.release;
  const relCalls = medianCounts(rel.map((x) => x.calls));
  const minimum = rel[0]?.minimum ?? {};
  const rollbacks = r.rollback.filter((x): x is Extract<RollbackRun, { pending: false }> => !x.pending);
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
  if (rollbacks.length > 0) {
    rows.push(["(2) rollback: process start → UpdateService (cold)", ms(median(rollbacks.map((x) => x.toUpdateMs)))]);
    const before = medianCounts(rollbacks.map((x) => x.callsBefore));
    rows.push(["(2) rollback: calls before UpdateService", `${median(rollbacks.map((x) => x.callsBeforeTotal))} (${Object.entries(before).map(([k, v]) => `${k} ${v}`).join(", ")})`]);
    rows.push(["(2) rollback: whole run incl. wait and deregistration", `${ms(median(rollbacks.map((x) => x.wallMs)))}, ${median(rollbacks.map((x) => x.totalCalls))} calls`]);
  } else {
    rows.push(["(2) rollback", `pending (${r.rollback.find((x) => x.pending)?.reason ?? "?"})`]);
  }
  const bake = (r.rollbackInBake ?? []).filter((x): x is Extract<RollbackInBakeRun, { failed: false }> => !x.failed);
  if (bake.length > 0) {
    rows.push(["(6) rollback in bake time (BLUE_GREEN): process start → StopServiceDeployment (cold)", `${ms(median(bake.map((x) => x.toStopMs)))} after ${median(bake.map((x) => x.callsBeforeStop))} calls`]);
    rows.push(["(6) rollback in bake time: polls after the stop until production traffic is back", `${median(bake.map((x) => x.pollsToTrafficBack ?? -1))}`]);
    rows.push(["(6) rollback in bake time: whole run incl. wait and deregistration", `${ms(median(bake.map((x) => x.wallMs)))}, ${median(bake.map((x) => x.totalCalls))} calls`]);
  }
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
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = ["| measure | median |", "|---|---|", ...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v} |`)];
  return lines.join("\n");
}
