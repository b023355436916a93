/**
 * The rollout wait (src/aws/wait-rollout.ts) in-process against the emulator: real SDK clients, an
 * injected clock (no sleeping; time moves only when the wait sleeps), a recording logger.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { waitForRollouts } from "../../src/aws/wait-rollout.js";
import { rolloutReportError, type RolloutReport } from "../../src/core/rollout-report.js";
import { rolloutTargetsOf } from "../../src/core/rollout-state.js";
import type { Clock } from "../../src/core/clock.js";
import type { Logger } from "../../src/core/logger.js";
import { ExitCode } from "../../src/core/errors.js";
import { useEmulator } from "../helpers/emulator.js";
import { registerTaskDefinition, SEED_SHAS, webTaskDefinition, seedEachTest } from "../helpers/seed.js";
import { virtualClock } from "../helpers/clock.js";

const handle = useEmulator();
const clients = seedEachTest(handle, { maxAttempts: 1 });

/** A logger that keeps every line with the fake time it was written at. */
function recorder(clock: Clock): Logger & { lines: Array<{ at: number; line: string }> } {
  const lines: Array<{ at: number; line: string }> = [];
  const add = (line: string): void => void lines.push({ at: clock.now(), line });
  return { lines, info: add, warn: add, debug: () => undefined };
}

/** UpdateService web to a new revision running `sha`; returns what the wait needs. */
async function updateWeb(sha: string) {
  const before = (await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", desiredCount: 2 }))).service;
  const arn = await registerTaskDefinition(clients, webTaskDefinition(sha));
  const { service } = await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: arn }));
  const deploymentId = service?.deployments?.find((d) => d.status === "PRIMARY")?.id ?? "";
  return rolloutTargetsOf([{ service: "web", deploymentId, taskDefinitionArn: arn, snapshot: service }], before ? [before] : []);
}

async function wait(targets: ReturnType<typeof rolloutTargetsOf>, options: { timeoutMs?: number; pollIntervalMs?: number } = {}) {
  const clock = virtualClock();
  const log = recorder(clock);
  const report: RolloutReport = await waitForRollouts(
    { cluster: "prod", targets, timeoutMs: options.timeoutMs ?? 600_000, pollIntervalMs: options.pollIntervalMs ?? 6_000 },
    { aws: { ecs: clients.ecs }, log, clock, signal: new AbortController().signal },
  );
  return { report, log, clock };
}

describe("a wait never concludes from a view older than its update (issue 13 §3.1; ECS is eventually consistent: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html)", () => {
  it("three stale DescribeServices answers after UpdateService: still completed, not 'gone' or 'rolled back'", async () => {
    await handle.emulator.setConsistency({ staleServiceReads: 3 });
    const targets = await updateWeb(SEED_SHAS[1]);
    const { report, log } = await wait(targets);
    expect(report.ended).toBe("settled");
    expect(report.outcomes.map((o) => o.state)).toEqual(["completed"]);
    expect(log.lines.map((l) => l.line).join("\n")).toMatch(/web: ECS does not show deployment ecs-svc\/\d+ yet/);
  });

  it("reads are not monotonic: a view that shows the update, then three older ones, then the update again: still completed", async () => {
    await handle.emulator.setConsistency({ staleServiceReads: 3, freshFirst: true });
    const targets = await updateWeb(SEED_SHAS[1]);
    const { report, log } = await wait(targets);
    expect(report.ended).toBe("settled");
    expect(report.outcomes.map((o) => o.state)).toEqual(["completed"]);
    expect(report.polls).toBeGreaterThan(4); // the fresh view and the three old ones were all read
    expect(log.lines.map((l) => l.line).join("\n")).not.toMatch(/rolled back|gone/i);
  });

  it("the grace is bounded: a deployment that never shows up is reported once the grace has passed", async () => {
    // 3 stale reads, polls every 60s, grace 120s: the third poll (at 120s) is past the grace and judged.
    await handle.emulator.setConsistency({ staleServiceReads: 3 });
    const targets = await updateWeb(SEED_SHAS[1]);
    const clock = virtualClock();
    const report = await waitForRollouts(
      { cluster: "prod", targets, timeoutMs: 600_000, pollIntervalMs: 60_000, visibilityGraceMs: 120_000 },
      { aws: { ecs: clients.ecs }, log: recorder(clock), clock, signal: new AbortController().signal },
    );
    expect(report.outcomes[0]?.state).toBe("rolled-back");
    // The tool's own arithmetic (polls at 0, 60 and 120 s against a 120 s grace), with the emulator
    // answering stale at least that long: not an AWS number.
    expect(report.polls).toBe(3);
  });
});

describe("a COMPLETED rollout is done even when auto scaling changed desiredCount (issue 13 §3.6; https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html)", () => {
  it("auto scaling raises desired as the rollout completes: completed at that poll, not at the deadline", async () => {
    await handle.emulator.setConsistency({ staleServiceReads: 0 });
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "complete", steps: 2, scaleTo: 4 });
    const targets = await updateWeb(SEED_SHAS[1]);
    // Two polls fit before the deadline; the second sees COMPLETED with 2/4 running. The poll count is
    // the emulator's (its rule completes in 2 steps, one a poll), not a number AWS gives: what AWS
    // documents, and what this test is about, is that COMPLETED ends the wait whatever desiredCount is.
    const { report } = await wait(targets, { timeoutMs: 6_000, pollIntervalMs: 6_000 });
    expect(report.ended).toBe("settled");
    expect(report.outcomes[0]?.state).toBe("completed");
    expect(report.polls).toBe(2);
  });
});

describe("errors no retry can fix end the wait at once (issue 13 §3.7; https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html)", () => {
  it.each(["AccessDeniedException", "ExpiredTokenException", "UnrecognizedClientException", "InvalidClientTokenId"] as const)("%s: exit 3 after one poll, saying the rollout may still run and how to follow it", async (code) => {
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "stuck" });
    const targets = await updateWeb(SEED_SHAS[1]);
    await handle.emulator.addFault({ operation: "DescribeServices", error: code });
    const { report } = await wait(targets);
    expect(report.ended).toBe("unrecoverable");
    expect(report.polls).toBe(1);
    const error = rolloutReportError(report, "prod", { some: "result" });
    expect(error?.exitCode).toBe(ExitCode.awsCallFailed);
    expect(error?.message).toContain(code);
    expect(error?.message).toMatch(/the rollout may still be running/);
    expect(error?.message).toContain("ecs-release status --cluster prod --service web");
    expect(error?.result).toEqual({ some: "result" });
  });

  it("a throttled poll is still retried until the rollout ends", async () => {
    const targets = await updateWeb(SEED_SHAS[1]);
    await handle.emulator.addFault({ operation: "DescribeServices", error: "ThrottlingException", count: 2 });
    const { report } = await wait(targets);
    expect(report.ended).toBe("settled");
    expect(report.outcomes[0]?.state).toBe("completed");
  });
});

describe("never silent for long (issue 15 item 3; CircleCI no_output_timeout: https://circleci.com/docs/configuration-reference/#run)", () => {
  // Without stale reads, so that only the silence is under test.
  beforeEach(async () => {
    await handle.emulator.setConsistency({ staleServiceReads: 0 });
  });

  it("a stuck rollout prints a progress line, with what it waits for and the counts, at least once a minute", async () => {
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "stuck", steps: 2 });
    const targets = await updateWeb(SEED_SHAS[1]);
    const { report, log } = await wait(targets, { timeoutMs: 10 * 60_000 });
    expect(report.ended).toBe("deadline");
    const times = [report.elapsedMs, ...log.lines.map((l) => l.at - 1_764_489_600_000)].sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(Math.max(...gaps, times[0] ?? 0)).toBeLessThanOrEqual(60_000);
    const progress = log.lines.filter((l) => l.line.startsWith("still waiting"));
    expect(progress.length).toBeGreaterThanOrEqual(9);
    // The counts in the line (1/2 running, 1 pending) are the emulator's rollout model, pinned to
    // check the line's format, not what ECS would show at that moment.
    expect(progress[0]?.line).toMatch(/^still waiting for 1 rollout \([\d.ms]+ elapsed, [\d.ms]+ left\): web: new web:2 1\/2 running \(1 pending\) IN_PROGRESS \| old web:1 1\/2 running COMPLETED \(deployment ecs-svc\/\d+ of web:2\)$/);
  });

  it("a poll interval longer than a minute still gets a progress line within the minute", async () => {
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "stuck" });
    const targets = await updateWeb(SEED_SHAS[1]);
    const { report, log, clock } = await wait(targets, { timeoutMs: 5 * 60_000, pollIntervalMs: 150_000 });
    expect(report.ended).toBe("deadline");
    const times = [...log.lines.map((l) => l.at - 1_764_489_600_000), report.elapsedMs];
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(60_000);
    expect(clock.slept.every((ms) => ms <= 60_000)).toBe(true);
  });
});
