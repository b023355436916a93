import { describe, expect, it } from "vitest";
import { beyondEcsRecord, ecsDeploymentEntries, latestEntryFor, recordDisagreement, type EcsDeploymentEntry } from "../../../src/core/ecs-record.js";

const DAY = 24 * 3_600_000;

function entry(status: string, statusReason: string | null = null): EcsDeploymentEntry {
  return { serviceDeploymentArn: "d", status, statusReason, lifecycleStage: null, createdAt: null, startedAt: null, finishedAt: null, taskDefinition: null, serviceRevisionArn: null, images: [] };
}

describe("ecsDeploymentEntries", () => {
  it("a brief (ListServiceDeployments) joined with its revision, every field", () => {
    const entries = ecsDeploymentEntries(
      [{ serviceDeploymentArn: "arn:d1", status: "SUCCESSFUL", statusReason: "done", targetServiceRevisionArn: "arn:r1", createdAt: new Date("2026-01-01T00:00:00Z"), startedAt: new Date("2026-01-01T00:01:00Z"), finishedAt: new Date("2026-01-01T00:02:00Z") }],
      [
        { serviceRevisionArn: "arn:r0", taskDefinition: "arn:td:0" },
        { serviceRevisionArn: "arn:r1", taskDefinition: "arn:td:1", containerImages: [{ containerName: "app", image: "repo:tag", imageDigest: "sha256:abc" }, {}] },
      ],
    );
    expect(entries).toEqual([
      {
        serviceDeploymentArn: "arn:d1",
        status: "SUCCESSFUL",
        statusReason: "done",
        lifecycleStage: null,
        createdAt: "2026-01-01T00:00:00.000Z",
        startedAt: "2026-01-01T00:01:00.000Z",
        finishedAt: "2026-01-01T00:02:00.000Z",
        taskDefinition: "arn:td:1",
        serviceRevisionArn: "arn:r1",
        images: [
          { container: "app", image: "repo:tag", digest: "sha256:abc" },
          { container: "", image: "", digest: null },
        ],
      },
    ]);
  });
  it("a full deployment (DescribeServiceDeployments): its target revision's arn and lifecycle stage", () => {
    const [e] = ecsDeploymentEntries([{ serviceDeploymentArn: "arn:d2", status: "IN_PROGRESS", lifecycleStage: "BAKE_TIME", targetServiceRevision: { arn: "arn:r2" } }], [{ serviceRevisionArn: "arn:r2", taskDefinition: "arn:td:2" }]);
    expect(e).toEqual({ serviceDeploymentArn: "arn:d2", status: "IN_PROGRESS", statusReason: null, lifecycleStage: "BAKE_TIME", createdAt: null, startedAt: null, finishedAt: null, taskDefinition: "arn:td:2", serviceRevisionArn: "arn:r2", images: [] });
  });
  it("nothing given: empty strings and nulls; an invalid date is null; an unknown revision is not joined", () => {
    expect(ecsDeploymentEntries([{ createdAt: new Date(Number.NaN), targetServiceRevisionArn: "arn:x" }, {}], [{ taskDefinition: "arn:td:nameless" }])).toEqual([
      { serviceDeploymentArn: "", status: "", statusReason: null, lifecycleStage: null, createdAt: null, startedAt: null, finishedAt: null, taskDefinition: null, serviceRevisionArn: "arn:x", images: [] },
      { serviceDeploymentArn: "", status: "", statusReason: null, lifecycleStage: null, createdAt: null, startedAt: null, finishedAt: null, taskDefinition: null, serviceRevisionArn: null, images: [] },
    ]);
  });
  it("a deployment without a target revision is not joined to a revision without an arn", () => {
    expect(ecsDeploymentEntries([{ serviceDeploymentArn: "d" }], [{ taskDefinition: "arn:td:nameless" }])[0]?.taskDefinition).toBeNull();
  });
});

describe("recordDisagreement", () => {
  it.each([
    [null, "STOPPED", undefined],
    ["unknown", "STOPPED", undefined],
    ["stable", "IN_PROGRESS", undefined],
    ["stable", "PENDING", undefined],
    ["stable", "STOP_REQUESTED", undefined],
    ["stable", "ROLLBACK_REQUESTED", undefined],
    ["stable", "ROLLBACK_IN_PROGRESS", undefined],
    ["stable", "SUCCESSFUL", undefined],
    ["stable", "ROLLBACK_SUCCESSFUL", "the tag says stable, ECS says ROLLBACK_SUCCESSFUL"],
    ["stable", "ROLLBACK_FAILED", "the tag says stable, ECS says ROLLBACK_FAILED"],
    ["stable", "STOPPED", "the tag says stable, ECS says STOPPED"],
    ["failed", "SUCCESSFUL", "the tag says failed, ECS says SUCCESSFUL"],
    ["failed", "STOPPED", undefined],
    ["failed", "IN_PROGRESS", undefined],
    ["rolled back", "SUCCESSFUL", undefined],
    ["rolled back", "STOPPED", undefined],
  ] as const)("tag %s, ECS %s → %s", (tag, status, expected) => {
    expect(recordDisagreement(tag, entry(status))).toBe(expected);
  });
  it("the reason is quoted when ECS gives one", () => {
    expect(recordDisagreement("stable", entry("STOPPED", "circuit breaker"))).toBe("the tag says stable, ECS says STOPPED (circuit breaker)");
  });
});

describe("beyondEcsRecord", () => {
  const released = "2026-01-01T00:00:00.000Z";
  const at = Date.parse(released);
  it.each([
    [null, at + 100 * DAY, false],
    ["not a date", at + 100 * DAY, false],
    [released, at + 90 * DAY, false],
    [released, at + 90 * DAY + 1, true],
    [released, at + 89 * DAY, false],
  ] as const)("%s at %s → %s", (releasedAt, now, expected) => {
    expect(beyondEcsRecord(releasedAt, now)).toBe(expected);
  });
});

describe("latestEntryFor", () => {
  it("the first entry of that task definition, not another's", () => {
    const a = { ...entry("SUCCESSFUL"), serviceDeploymentArn: "a", taskDefinition: "td:1" };
    const b = { ...entry("STOPPED"), serviceDeploymentArn: "b", taskDefinition: "td:2" };
    const c = { ...entry("STOPPED"), serviceDeploymentArn: "c", taskDefinition: "td:2" };
    expect(latestEntryFor("td:2", [a, b, c])).toBe(b);
    expect(latestEntryFor("td:3", [a, b, c])).toBeUndefined();
  });
});
